package store

import "context"

// authorKey is the context key of WithAuthor.
type authorKey struct{}

// MaxAuthorLength caps the author recorded with a workflow version.
const MaxAuthorLength = 200

// WithAuthor returns ctx carrying who is making changes (the API key's
// name); workflow versions saved under it record it as their author. It
// travels in the context rather than as a parameter because every save
// path (create, update, apply, import, restore) reaches the store through
// the same API request.
func WithAuthor(ctx context.Context, name string) context.Context {
	return context.WithValue(ctx, authorKey{}, name)
}

// authorOf is the author WithAuthor put in ctx, or "".
func authorOf(ctx context.Context) string {
	a, _ := ctx.Value(authorKey{}).(string)
	return truncateUTF8(a, MaxAuthorLength)
}
