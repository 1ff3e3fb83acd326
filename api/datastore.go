package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hookflow/hookflow/engine/definition"
	"github.com/hookflow/hookflow/engine/store"
)

// The data store's routes: the stores, their keys and values, as the data
// steps of workflows keep them. A store is a named store or
// "workflow:<workflow id>", a workflow's private store. Keys may hold '/':
// the key is the rest of the path.
func (s *server) dataRoutes(v1 *gin.RouterGroup) {
	viewer, editor := require(store.ScopeViewer), require(store.ScopeEditor)
	v1.GET("/data", viewer, s.listDataStores)
	v1.GET("/data/:store/keys", viewer, s.listDataKeys)
	v1.GET("/data/:store/keys/*key", viewer, s.getDataKey)
	v1.PUT("/data/:store/keys/*key", editor, s.putDataKey)
	v1.DELETE("/data/:store/keys/*key", editor, s.deleteDataKey)
}

// dataStoreParam reads and checks the :store path parameter.
func dataStoreParam(c *gin.Context) (string, bool) {
	name := c.Param("store")
	if id, ok := strings.CutPrefix(name, store.PrivateStorePrefix); ok {
		if id == "" {
			badRequest(c, "store", `"workflow:" needs a workflow id, as in workflow:wf_123`)
			return "", false
		}
		return name, true
	}
	if err := store.ValidStoreName(name); err != nil {
		badRequest(c, "store", "use letters, digits, _, . and -, starting with a letter or digit (at most 100 characters), or workflow:<workflow id>")
		return "", false
	}
	return name, true
}

// dataKeyParam reads the key, the rest of the path after /keys/.
func dataKeyParam(c *gin.Context) (string, bool) {
	key := strings.TrimPrefix(c.Param("key"), "/")
	if key == "" {
		badRequest(c, "key", "is empty: put the key after /keys/")
		return "", false
	}
	return key, true
}

func (s *server) listDataStores(c *gin.Context) {
	stores, err := s.cfg.Manage.Store.ListKVStores(c.Request.Context())
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, page(stores, ""))
}

func (s *server) listDataKeys(c *gin.Context) {
	name, ok := dataStoreParam(c)
	if !ok {
		return
	}
	opts, ok := listOptions(c)
	if !ok {
		return
	}
	keys, next, err := s.cfg.Manage.Store.ListKV(c.Request.Context(), name,
		store.KVListOptions{Prefix: c.Query("prefix"), Limit: opts.Limit, Cursor: opts.Cursor})
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, page(keys, next))
}

func (s *server) getDataKey(c *gin.Context) {
	name, key, ok := dataKeyParams(c)
	if !ok {
		return
	}
	kv, err := s.cfg.Manage.Store.GetKV(c.Request.Context(), name, key)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, kv)
}

// dataPut is the body of PUT /data/{store}/keys/{key}.
type dataPut struct {
	Value json.RawMessage `json:"value"`
	// TTL is a duration such as 30s, 2h or 3d; empty keeps the key until
	// it is deleted.
	TTL string `json:"ttl,omitempty"`
}

func (s *server) putDataKey(c *gin.Context) {
	name, key, ok := dataKeyParams(c)
	if !ok {
		return
	}
	var in dataPut
	if !bindJSON(c, &in, false) {
		return
	}
	if len(in.Value) == 0 {
		badRequest(c, "value", "is required: any JSON value (null included)")
		return
	}
	var ttl time.Duration
	if in.TTL != "" {
		d, err := definition.Duration(in.TTL).Parse()
		if err != nil || d <= 0 {
			badRequest(c, "ttl", `must be a positive duration such as "30s", "2h" or "3d"`)
			return
		}
		ttl = d
	}
	kv, err := s.cfg.Manage.Store.PutKV(c.Request.Context(), name, key, in.Value, ttl)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, kv)
}

func (s *server) deleteDataKey(c *gin.Context) {
	name, key, ok := dataKeyParams(c)
	if !ok {
		return
	}
	found, err := s.cfg.Manage.Store.DeleteKV(c.Request.Context(), name, key)
	if err == nil && !found {
		err = fmt.Errorf("key %q of store %q: %w", key, name, store.ErrNotFound)
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// dataKeyParams reads the {store} and {key} of a route on one key,
// answering 400 and returning ok false when either is invalid.
func dataKeyParams(c *gin.Context) (name, key string, ok bool) {
	if name, ok = dataStoreParam(c); !ok {
		return "", "", false
	}
	if key, ok = dataKeyParam(c); !ok {
		return "", "", false
	}
	return name, key, true
}
