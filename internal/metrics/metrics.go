package metrics

import (
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// latencyBuckets span a fast cache hit (0.1ms) to a request timeout (10s).
var latencyBuckets = []float64{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

// Metrics holds one process's metrics in its own registry.
type Metrics struct {
	Registry *prometheus.Registry

	requests        *prometheus.CounterVec
	requestDuration *prometheus.HistogramVec
	renderDuration  *prometheus.HistogramVec
	storeDuration   *prometheus.HistogramVec
	storeErrors     *prometheus.CounterVec
	cacheDuration   *prometheus.HistogramVec
	cacheErrors     *prometheus.CounterVec

	requestSeries sync.Map // requestKey → *requestSeries
}

// New registers every metric, with the Go runtime and process collectors.
func New() *Metrics {
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "herald_http_requests_total",
			Help: "HTTP requests answered, by route pattern, feed format (empty for other routes) and status.",
		}, []string{"route", "format", "status"}),
		requestDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "herald_http_request_duration_seconds", Help: "Time to answer an HTTP request, by route pattern.", Buckets: latencyBuckets,
		}, []string{"route"}),
		renderDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "herald_feed_render_duration_seconds", Help: "Time to render a feed from its articles, by format.", Buckets: latencyBuckets,
		}, []string{"format"}),
		storeDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "herald_store_duration_seconds", Help: "Time of store calls, by operation.", Buckets: latencyBuckets,
		}, []string{"op"}),
		storeErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "herald_store_errors_total", Help: "Store calls that failed for a reason other than the request's (not found, conflict), by operation.",
		}, []string{"op"}),
		cacheDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "herald_cache_duration_seconds", Help: "Time of calls to the feed cache, by cache and operation.", Buckets: latencyBuckets,
		}, []string{"cache", "op"}),
		cacheErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "herald_cache_errors_total", Help: "Failed calls to the feed cache, by cache and operation.",
		}, []string{"cache", "op"}),
	}
	m.Registry.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.requests, m.requestDuration, m.renderDuration,
		m.storeDuration, m.storeErrors, m.cacheDuration, m.cacheErrors,
	)
	return m
}

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{Registry: m.Registry})
}

// ObserveRequest records one answered request; it implements
// httpserver.RequestObserver.
func (m *Metrics) ObserveRequest(route, format string, status int, elapsed time.Duration) {
	k := requestKey{route: route, format: format, status: status}
	v, ok := m.requestSeries.Load(k)
	if !ok {
		// The labels are bounded (route patterns, formats, statuses), so
		// this map stays small; LoadOrStore keeps one pair per key.
		v, _ = m.requestSeries.LoadOrStore(k, &requestSeries{
			count:    m.requests.WithLabelValues(route, format, statusLabel(status)),
			duration: m.requestDuration.WithLabelValues(route),
		})
	}
	rs := v.(*requestSeries)
	rs.count.Inc()
	rs.duration.Observe(elapsed.Seconds())
}

// requestKey and requestSeries keep the series of each label combination
// found once, so that a request costs a map lookup instead of hashing and
// checking its label values in the vectors twice.
type requestKey struct {
	route, format string
	status        int
}

type requestSeries struct {
	count    prometheus.Counter
	duration prometheus.Observer
}

// CounterFunc exports a counter kept elsewhere (such as the feed service's
// statistics) under name.
func (m *Metrics) CounterFunc(name, help string, read func() int64) {
	m.Registry.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help},
		func() float64 { return float64(read()) }))
}

// GaugeFunc exports a value read when the metrics are scraped.
func (m *Metrics) GaugeFunc(name, help string, read func() float64) {
	m.Registry.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, read))
}

// statusLabels holds the status codes as label values, made once: a label
// built per request would be the feed path's only allocation.
var statusLabels = func() (t [600]string) {
	for i := 100; i < len(t); i++ {
		t[i] = strconv.Itoa(i)
	}
	return t
}()

// statusLabel is the label value of an HTTP status code.
func statusLabel(code int) string {
	if code >= 100 && code < len(statusLabels) {
		return statusLabels[code]
	}
	return strconv.Itoa(code)
}
