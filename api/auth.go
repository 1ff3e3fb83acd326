package api

import (
	"errors"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/hookflow/hookflow/engine/store"
)

// scopeRank orders scopes: a key may do what its scope and every lower
// scope allow.
var scopeRank = map[string]int{store.ScopeViewer: 1, store.ScopeEditor: 2, store.ScopeAdmin: 3}

const ctxKey = "hookflow.apikey"

// authenticate checks the Bearer API key of every /api/v1 request: a
// missing, malformed, unknown or revoked key gets 401. The key is looked
// up by its hash (store.VerifyAPIKey), so the plaintext is never stored or
// logged.
func (s *server) authenticate(c *gin.Context) {
	h := c.GetHeader("Authorization")
	scheme, token, ok := strings.Cut(h, " ")
	token = strings.TrimSpace(token)
	if h == "" {
		s.unauthorized(c, "the request has no Authorization header; send Authorization: Bearer <api key>")
		return
	}
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
		s.unauthorized(c, "the Authorization header must be \"Bearer <api key>\"")
		return
	}
	key, err := s.cfg.Manage.Store.VerifyAPIKey(c.Request.Context(), token)
	if errors.Is(err, store.ErrNotFound) {
		s.unauthorized(c, "the API key is unknown or revoked")
		return
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Set(ctxKey, key)
	// Workflow versions saved by this request record the key as author.
	c.Request = c.Request.WithContext(store.WithAuthor(c.Request.Context(), key.Name))
	c.Next()
}

func (s *server) unauthorized(c *gin.Context, detail string) {
	c.Header("WWW-Authenticate", `Bearer realm="hookflow"`)
	problem(c, Problem{Type: ProblemUnauthorized, Title: "authentication required", Status: http.StatusUnauthorized, Detail: detail})
}

// require returns middleware that lets only keys of at least scope through
// (403 otherwise).
func require(scope string) gin.HandlerFunc {
	return func(c *gin.Context) {
		key := currentKey(c)
		if scopeRank[key.Scope] < scopeRank[scope] {
			problem(c, Problem{Type: ProblemForbidden, Title: "insufficient scope", Status: http.StatusForbidden,
				Detail: "this API key has scope \"" + key.Scope + "\"; this operation needs \"" + scope + "\" or higher"})
			return
		}
		c.Next()
	}
}

func currentKey(c *gin.Context) store.APIKey {
	v, _ := c.Get(ctxKey)
	k, _ := v.(store.APIKey)
	return k
}
