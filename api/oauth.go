package api

import (
	"errors"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/hookflow/hookflow/engine/credentials"
)

// OAuthCallbackPath is where OAuth 2 providers send the user back; admins
// register <public URL>/oauth/callback as the app's redirect URL.
const OAuthCallbackPath = "/oauth/callback"

// oauthCookie carries the nonce that binds a flow's state to the browser
// that started it. It is HttpOnly and limited to the callback path.
const oauthCookie = "hookflow_oauth"

// oauthConnectors lists the connectors whose accounts can be connected:
// they declare OAuth and the admin configured a client for them.
func (s *server) oauthConnectors(c *gin.Context) {
	names := []string{}
	if s.cfg.OAuth != nil {
		for _, n := range s.cfg.Manage.Registry.Names() {
			if s.cfg.OAuth.Enabled(n) {
				names = append(names, n)
			}
		}
	}
	sort.Strings(names)
	c.JSON(http.StatusOK, gin.H{"connectors": names, "redirect_url": s.cfg.OAuthRedirectURL})
}

// oauthAuthorize starts connecting an account: {"name"} names the
// credential to create or reconnect. The answer's authorize_url is where
// the browser goes next; the session cookie set here must come back with
// the callback.
func (s *server) oauthAuthorize(c *gin.Context) {
	if s.cfg.OAuth == nil {
		s.unavailable(c, "OAuth (--oauth-clients)")
		return
	}
	var in struct {
		Name string `json:"name"`
	}
	if !bindJSON(c, &in, false) {
		return
	}
	auth, err := s.cfg.OAuth.Authorize(c.Request.Context(), c.Param("connector"), in.Name)
	if err != nil {
		s.oauthFail(c, err)
		return
	}
	http.SetCookie(c.Writer, &http.Cookie{Name: oauthCookie, Value: auth.Session, Path: OAuthCallbackPath,
		MaxAge: int(credentials.DefaultStateTTL.Seconds()), HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: strings.HasPrefix(s.cfg.OAuthRedirectURL, "https://")})
	c.JSON(http.StatusOK, gin.H{"authorize_url": auth.URL})
}

// oauthCallback finishes the flow the provider redirected back from and
// sends the browser to the Credentials page, which shows the outcome.
// It needs no API key: the sealed state and the session cookie
// authenticate it.
func (s *server) oauthCallback(c *gin.Context) {
	back := func(key, value string) {
		http.SetCookie(c.Writer, &http.Cookie{Name: oauthCookie, Value: "", Path: OAuthCallbackPath, MaxAge: -1, HttpOnly: true})
		c.Redirect(http.StatusSeeOther, "/#/credentials?"+url.Values{key: {value}}.Encode())
	}
	if s.cfg.OAuth == nil {
		back("oauth_error", "OAuth is not configured on this server")
		return
	}
	q := c.Request.URL.Query()
	if e := q.Get("error"); e != "" {
		msg := "the provider answered " + e
		if d := q.Get("error_description"); d != "" {
			msg += ": " + d
		}
		back("oauth_error", msg)
		return
	}
	session, _ := c.Cookie(oauthCookie)
	cred, err := s.cfg.OAuth.Callback(c.Request.Context(), q.Get("state"), q.Get("code"), session)
	if err != nil {
		s.log.Warn("OAuth callback failed", "error", err)
		back("oauth_error", err.Error())
		return
	}
	if s.cfg.Changed != nil {
		s.cfg.Changed()
	}
	back("connected", cred.Name)
}

// disconnectCredential revokes an OAuth connection at the provider where
// it offers revocation, and deletes its tokens.
func (s *server) disconnectCredential(c *gin.Context) {
	if s.cfg.OAuth == nil {
		s.unavailable(c, "OAuth (--oauth-clients)")
		return
	}
	cred, err := s.cfg.OAuth.Revoke(c.Request.Context(), c.Param("id"))
	if err != nil && cred.ID == "" {
		s.oauthFail(c, err)
		return
	}
	out := gin.H{"credential": cred}
	if err != nil {
		out["revocation_error"] = err.Error()
	}
	c.JSON(http.StatusOK, out)
}

func (s *server) oauthFail(c *gin.Context, err error) {
	switch {
	case errors.Is(err, credentials.ErrOAuthNotConfigured):
		problem(c, Problem{Type: ProblemValidation, Title: "OAuth is not configured for this connector",
			Status: http.StatusUnprocessableEntity, Detail: err.Error()})
	case strings.HasPrefix(err.Error(), "name: "), strings.Contains(err.Error(), "has no OAuth connection"),
		strings.Contains(err.Error(), "is not an OAuth connection"):
		problem(c, Problem{Type: ProblemValidation, Title: "the request is invalid", Status: http.StatusUnprocessableEntity, Detail: err.Error()})
	default:
		s.fail(c, err)
	}
}
