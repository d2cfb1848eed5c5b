package herald

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"time"
	"unsafe"

	"github.com/klauspost/compress/s2"
)

// An article's packed form is one byte string holding every field of the
// article as a store reads it back: the stores keep it beside the article's
// rows, under the row's version, so that a feed miss which finds an article
// in no process's memory reads one column instead of a row of sixteen and
// three lists (docs/PERFORMANCE.md, item 43). It is a private format of
// this program, never sent anywhere:
//
//	byte 0: PackFormat
//	then an S2 block (github.com/klauspost/compress/s2) of the fields in
//	Article's order: each string as a uvarint length and its bytes; each
//	time as a varint of Unix seconds (stored times are whole seconds);
//	each number as a varint; each list as a uvarint count and its
//	elements, an author as its three strings and an enclosure as its two
//	strings and two numbers.
//
// Compression halves a typical article's pack (2.1 kB to 1.2 kB for the
// sample articles) for about 2 µs of decoding, which the fewer bytes read
// from the database mostly repay; uncompressed, two packs of a typical
// article do not fit one SQLite page, so each took a page of its own.
//
// A change to Article or to this layout takes a new PackFormat: packs of
// another format do not unpack, and the stores read such an article from
// its rows, as they do one whose pack is missing or of an older version.
const PackFormat = 1

// Packer is a store that keeps article packs and can fill in those its
// articles lack: articles written before the store kept packs, or last by
// a build that does not make them, whose reads otherwise take their rows.
// PackArticles returns how many packs it stored.
type Packer interface {
	PackArticles(ctx context.Context) (int, error)
}

// PackBatch is how many articles a store's PackArticles reads at a time,
// and PackWriteBytes about the most pack bytes it writes in one
// transaction, so that the writers it holds up wait for little more than
// a megabyte of rows whatever the size of the articles.
const (
	PackBatch      = 200
	PackWriteBytes = 1 << 20
)

// PackAll packs each of arts, in order.
func PackAll(arts []*Article) [][]byte {
	packs := make([][]byte, len(arts))
	for i, a := range arts {
		packs[i] = PackArticle(a)
	}
	return packs
}

// PackRange is a run of packs, packs[Start:End], to write in one
// transaction.
type PackRange struct{ Start, End int }

// PackWrites splits packs into runs of at most PackWriteBytes, each of at
// least one pack, in order.
func PackWrites(packs [][]byte) []PackRange {
	var runs []PackRange
	for start := 0; start < len(packs); {
		end, size := start+1, len(packs[start])
		for end < len(packs) && size+len(packs[end]) <= PackWriteBytes {
			size += len(packs[end])
			end++
		}
		runs = append(runs, PackRange{start, end})
		start = end
	}
	return runs
}

// ErrPackFormat is returned by UnpackArticle for a pack of another format
// than this build's.
var ErrPackFormat = errors.New("article pack of another format")

// PackArticle returns a's packed form. Its times are packed as whole
// seconds in UTC, as the stores keep them.
func PackArticle(a *Article) []byte {
	n := 8*binary.MaxVarintLen64 + len(a.ID) + len(a.Slug) + len(a.Title) + len(a.URL) + len(a.Summary) +
		len(a.ContentHTML) + len(a.Language) + len(a.Image) + len(a.EpisodeType) + len(a.TranscriptURL) +
		len(a.TranscriptType) + len(a.ChaptersURL) + 16*binary.MaxVarintLen32
	for _, au := range a.Authors {
		n += len(au.Name) + len(au.Email) + len(au.URL) + 3*binary.MaxVarintLen32
	}
	for _, c := range a.Categories {
		n += len(c) + binary.MaxVarintLen32
	}
	for _, t := range a.Tags {
		n += len(t) + binary.MaxVarintLen32
	}
	for _, e := range a.Enclosures {
		n += len(e.URL) + len(e.Type) + 2*binary.MaxVarintLen32 + 2*binary.MaxVarintLen64
	}
	b := make([]byte, 0, n)
	str := func(s string) {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	strs := func(list []string) {
		b = binary.AppendUvarint(b, uint64(len(list)))
		for _, s := range list {
			str(s)
		}
	}
	str(a.ID)
	str(a.Slug)
	str(a.Title)
	str(a.URL)
	str(a.Summary)
	str(a.ContentHTML)
	b = binary.AppendUvarint(b, uint64(len(a.Authors)))
	for _, au := range a.Authors {
		str(au.Name)
		str(au.Email)
		str(au.URL)
	}
	strs(a.Categories)
	strs(a.Tags)
	str(a.Language)
	str(a.Image)
	b = binary.AppendUvarint(b, uint64(len(a.Enclosures)))
	for _, e := range a.Enclosures {
		str(e.URL)
		str(e.Type)
		b = binary.AppendVarint(b, e.Length)
		b = binary.AppendVarint(b, e.Duration)
	}
	b = binary.AppendVarint(b, a.PublishedAt.Unix())
	b = binary.AppendVarint(b, a.UpdatedAt.Unix())
	b = binary.AppendVarint(b, int64(a.Episode))
	b = binary.AppendVarint(b, int64(a.Season))
	str(a.EpisodeType)
	str(a.TranscriptURL)
	str(a.TranscriptType)
	str(a.ChaptersURL)
	p := make([]byte, 1+s2.MaxEncodedLen(len(b)))
	p[0] = PackFormat
	return p[:1+len(s2.EncodeBetter(p[1:], b))]
}

// UnpackArticle reads an article from its packed form. Every string of
// the article shares the one buffer p is decompressed into, so unpacking
// costs one allocation for the text whatever the number of fields; an empty list comes back nil, as
// from the stores' rows. A pack that is cut short, has bytes left over or
// holds an impossible length is an error, and one of another format is
// ErrPackFormat.
func UnpackArticle(p []byte) (*Article, error) {
	if len(p) == 0 {
		return nil, errors.New("empty article pack")
	}
	if p[0] != PackFormat {
		return nil, fmt.Errorf("%w: %d", ErrPackFormat, p[0])
	}
	n, err := s2.DecodedLen(p[1:])
	if err != nil {
		return nil, fmt.Errorf("article pack: %w", err)
	}
	if n > maxPackedArticle {
		return nil, fmt.Errorf("article pack: %d bytes unpacked", n)
	}
	b, err := s2.Decode(make([]byte, n), p[1:])
	if err != nil {
		return nil, fmt.Errorf("article pack: %w", err)
	}
	if len(b) == 0 {
		return nil, errors.New("article pack: empty")
	}
	// b was made here and is never written again, so the article's
	// strings may share it without a copy, as strings.Builder shares its
	// buffer.
	u := unpacker{s: unsafe.String(&b[0], len(b))}
	a := new(Article)
	a.ID = u.str()
	a.Slug = u.str()
	a.Title = u.str()
	a.URL = u.str()
	a.Summary = u.str()
	a.ContentHTML = u.str()
	if n := u.count(3); n > 0 {
		a.Authors = make([]Author, n)
		for i := range a.Authors {
			a.Authors[i] = Author{Name: u.str(), Email: u.str(), URL: u.str()}
		}
	}
	a.Categories = u.strs()
	a.Tags = u.strs()
	a.Language = u.str()
	a.Image = u.str()
	if n := u.count(4); n > 0 {
		a.Enclosures = make([]Enclosure, n)
		for i := range a.Enclosures {
			a.Enclosures[i] = Enclosure{URL: u.str(), Type: u.str(), Length: u.varint(), Duration: u.varint()}
		}
	}
	a.PublishedAt = time.Unix(u.varint(), 0).UTC()
	a.UpdatedAt = time.Unix(u.varint(), 0).UTC()
	a.Episode = u.int()
	a.Season = u.int()
	a.EpisodeType = u.str()
	a.TranscriptURL = u.str()
	a.TranscriptType = u.str()
	a.ChaptersURL = u.str()
	if u.err == nil && u.i != len(u.s) {
		u.err = fmt.Errorf("%d bytes after the article", len(u.s)-u.i)
	}
	if u.err != nil {
		return nil, fmt.Errorf("article pack: %w", u.err)
	}
	return a, nil
}

// maxPackedArticle bounds what UnpackArticle allocates for one article,
// whatever a damaged pack's header claims: far above any article the API
// or an import accepts.
const maxPackedArticle = 256 << 20

// unpacker reads a pack's fields in order from s, keeping the first error
// and reading zeros after it.
type unpacker struct {
	s   string
	i   int
	err error
}

var errPackShort = errors.New("cut short")

func (u *unpacker) uvarint() uint64 {
	if u.err != nil {
		return 0
	}
	var x uint64
	for shift := uint(0); ; shift += 7 {
		if u.i >= len(u.s) || shift > 63 {
			u.err = errPackShort
			return 0
		}
		c := u.s[u.i]
		u.i++
		x |= uint64(c&0x7f) << shift
		if c < 0x80 {
			return x
		}
	}
}

func (u *unpacker) varint() int64 {
	x := u.uvarint()
	return int64(x>>1) ^ -int64(x&1)
}

// int reads a varint that must fit an int of 32 bits, as the stores'
// episode and season columns do.
func (u *unpacker) int() int {
	x := u.varint()
	if x < math.MinInt32 || x > math.MaxInt32 {
		u.fail(fmt.Errorf("number %d out of range", x))
		return 0
	}
	return int(x)
}

// count reads a list's length, which cannot exceed what is left of the
// pack when each element takes at least min bytes.
func (u *unpacker) count(min int) int {
	n := u.uvarint()
	if n > uint64(len(u.s)-u.i)/uint64(min) {
		u.fail(fmt.Errorf("list of %d", n))
		return 0
	}
	return int(n)
}

func (u *unpacker) str() string {
	n := u.uvarint()
	if n > uint64(len(u.s)-u.i) {
		u.fail(errPackShort)
		return ""
	}
	s := u.s[u.i : u.i+int(n)]
	u.i += int(n)
	return s
}

func (u *unpacker) strs() []string {
	n := u.count(1)
	if n == 0 {
		return nil
	}
	list := make([]string, n)
	for i := range list {
		list[i] = u.str()
	}
	return list
}

func (u *unpacker) fail(err error) {
	if u.err == nil {
		u.err = err
	}
}
