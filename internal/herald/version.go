package herald

import "context"

// VersionCheck carries an article's row version between the admin API and
// a store, in a read's or a write's context. Every write of an article
// gives its row a version no row of the database ever had (migration
// 0003), which makes it the article's entity tag.
//
// A store that finds a VersionCheck in the context of Article,
// CreateArticle or ReplaceArticle sets Version to the version of the
// article it read or wrote, within the same transaction. ReplaceArticle
// and DeleteArticle with Expect set refuse, with EPrecondition and without
// writing anything, an article whose version is no longer Expect: a write
// conditional on the version the client read (If-Match), atomic with it.
type VersionCheck struct {
	Expect  int64 // the version a write requires the article to have; 0 for any
	Version int64 // set by the store: the version read or written
}

type versionKey struct{}

// WithVersionCheck returns ctx carrying vc.
func WithVersionCheck(ctx context.Context, vc *VersionCheck) context.Context {
	return context.WithValue(ctx, versionKey{}, vc)
}

// VersionCheckOf returns the VersionCheck ctx carries, or nil.
func VersionCheckOf(ctx context.Context) *VersionCheck {
	vc, _ := ctx.Value(versionKey{}).(*VersionCheck)
	return vc
}

// CheckVersion is what a store runs inside a write's transaction once it
// knows the version of the article it is about to replace or delete.
func CheckVersion(ctx context.Context, id string, current int64) error {
	if vc := VersionCheckOf(ctx); vc != nil && vc.Expect != 0 && vc.Expect != current {
		return Errorf(EPrecondition, "article %s changed since the version the request names", id)
	}
	return nil
}

// ReportVersion records, for the VersionCheck in ctx if any, the version
// of the article a store read or wrote, which read returns as the store's
// transaction sees it; without a check, read is not called.
func ReportVersion(ctx context.Context, read func() (int64, error)) error {
	vc := VersionCheckOf(ctx)
	if vc == nil {
		return nil
	}
	v, err := read()
	if err != nil {
		return err
	}
	vc.Version = v
	return nil
}
