package api

import (
	"testing"

	"github.com/gin-gonic/gin"
)

// Every route named in unchanging exists with a write method, so a
// renamed route cannot silently start emptying the caches again.
func TestUnchangingRoutesExist(t *testing.T) {
	gin.SetMode(gin.TestMode)
	r := gin.New()
	s := &server{}
	s.routes(r.Group(Prefix))
	writes := map[string]bool{}
	for _, rt := range r.Routes() {
		if rt.Method != "GET" {
			writes[rt.Path] = true
		}
	}
	for p := range unchanging {
		if !writes[p] {
			t.Errorf("unchanging names %s, which is no route with a write method", p)
		}
	}
}
