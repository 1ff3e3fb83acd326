package interpreter

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/engine/definition"
	"github.com/hookflow/hookflow/engine/secrets"
)

// Approvers. An approval wait whose approval.approvers is set takes a
// decision only from one of them (versionApprovers): through the API by
// an API key of that name (the API refuses other keys with 403), or by
// opening the signed one-time link the wait makes for each approver when
// it starts. A link is
//
//	<public url>/approve/<base64url(claims)>.<base64url(HMAC-SHA256)>
//
// whose claims bind it to the run, the step's path, the approver and an
// expiry (the wait's timeout); the MAC is made with a key derived from the
// deployment's secret key (secrets.Keyring.MAC), in an activity, so the
// key never enters workflow history. A link decides once: the API records
// its id in the store before it sends the decision, and the primary key
// refuses a second use.

// versionApprovers is the first version whose approval waits with
// approvers make links, run notify steps and ignore decisions by anyone
// else.
const versionApprovers workflow.Version = 9

// ActivityApprovalLinks makes the signed approval links of an approval
// wait. Like every activity name it is part of history: never rename it.
const ActivityApprovalLinks = "hookflow.ApprovalLinks"

// approvalLinkPurpose separates approval-link MACs from every other use of
// the keyring's MAC.
const approvalLinkPurpose = "approval-link/v1"

// ApprovalPath is the public route of approval links, under the public URL.
const ApprovalPath = "/approve/"

// Errors of VerifyApprovalLink.
var (
	// ErrLinkInvalid: the token is malformed or its signature is wrong.
	ErrLinkInvalid = errors.New("this approval link is not valid: it may be incomplete (copy the whole link) or it was not made by this hookflow")
	// ErrLinkExpired: the token's expiry has passed.
	ErrLinkExpired = errors.New("this approval link has expired")
)

// ApprovalClaims are what an approval link is bound to.
type ApprovalClaims struct {
	ID       string `json:"id"`
	Run      string `json:"run"`
	Step     string `json:"step"`
	Approver string `json:"by"`
	Expires  int64  `json:"exp"` // unix seconds
}

// ExpiresAt is the claims' expiry as a time.
func (c ApprovalClaims) ExpiresAt() time.Time { return time.Unix(c.Expires, 0).UTC() }

// SignApprovalLink returns the token of claims (the part after
// ApprovalPath).
func SignApprovalLink(kr *secrets.Keyring, c ApprovalClaims) (string, error) {
	b, err := json.Marshal(c)
	if err != nil {
		return "", fmt.Errorf("encoding approval link: %w", err)
	}
	body := base64.RawURLEncoding.EncodeToString(b)
	mac := kr.MAC(approvalLinkPurpose, []byte(body))
	return body + "." + base64.RawURLEncoding.EncodeToString(mac), nil
}

// VerifyApprovalLink checks a token's signature (in constant time) and
// expiry at now and returns its claims. It does not know whether the link
// was used: the store does (store.UseApprovalLink).
func VerifyApprovalLink(kr *secrets.Keyring, token string, now time.Time) (ApprovalClaims, error) {
	body, sig, ok := strings.Cut(token, ".")
	if !ok || kr == nil || len(token) > 4096 {
		return ApprovalClaims{}, ErrLinkInvalid
	}
	mac, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !kr.VerifyMAC(approvalLinkPurpose, []byte(body), mac) {
		return ApprovalClaims{}, ErrLinkInvalid
	}
	raw, err := base64.RawURLEncoding.DecodeString(body)
	if err != nil {
		return ApprovalClaims{}, ErrLinkInvalid
	}
	var c ApprovalClaims
	if err := json.Unmarshal(raw, &c); err != nil || c.ID == "" || c.Run == "" || c.Approver == "" {
		return ApprovalClaims{}, ErrLinkInvalid
	}
	if !now.Before(c.ExpiresAt()) {
		return c, ErrLinkExpired
	}
	return c, nil
}

// ApprovalLinksRequest asks for the links of one approval wait.
type ApprovalLinksRequest struct {
	RunID     string    `json:"run_id"`
	Step      string    `json:"step"`
	Approvers []string  `json:"approvers"`
	ExpiresAt time.Time `json:"expires_at"`
}

// ApprovalLinks is the links of one wait, by approver.
type ApprovalLinks struct {
	Links map[string]string `json:"links"`
}

// ApprovalLinks makes one signed link per approver. It needs the keyring
// (the deployment's secret key) and the public URL the links start with.
func (a *Activities) ApprovalLinks(ctx context.Context, req ApprovalLinksRequest) (ApprovalLinks, error) {
	if a.deps.Keyring == nil {
		return ApprovalLinks{}, a.fail(ctx, connectors.Permanent(errors.New("approval links need a secret key (HOOKFLOW_SECRET_KEY, or the key file hookflow dev creates)")))
	}
	base := strings.TrimRight(a.deps.PublicURL, "/")
	if base == "" {
		base = "http://localhost:8080"
	}
	out := ApprovalLinks{Links: make(map[string]string, len(req.Approvers))}
	for _, who := range req.Approvers {
		c := ApprovalClaims{ID: randomID(), Run: req.RunID, Step: req.Step, Approver: who, Expires: req.ExpiresAt.Unix()}
		tok, err := SignApprovalLink(a.deps.Keyring, c)
		if err != nil {
			return ApprovalLinks{}, a.fail(ctx, connectors.Permanent(err))
		}
		out.Links[who] = base + ApprovalPath + tok
	}
	return out, nil
}

func randomID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// MayApprove reports whether who may decide an approval with these
// approvers: anyone when the list is empty, else one of them (compared
// case-insensitively, as email addresses are).
func MayApprove(approvers []string, who string) bool {
	if len(approvers) == 0 {
		return true
	}
	return slices.ContainsFunc(approvers, func(a string) bool { return strings.EqualFold(strings.TrimSpace(a), strings.TrimSpace(who)) })
}

// ApprovalStep finds the approval wait at a step path ("approve",
// "fan.ops.approve", "items[2].approve") in a definition: nil when the
// path names no approval wait.
func ApprovalStep(def *definition.Definition, path string) *definition.Step {
	s := stepAt(def.Steps, path)
	if s == nil || s.Type != definition.KindWaitForEvent || s.Approval == nil {
		return nil
	}
	return s
}

// ApprovalSteps lists every approval wait of a definition, at any depth.
func ApprovalSteps(def *definition.Definition) []*definition.Step {
	var out []*definition.Step
	var walk func([]*definition.Step)
	walk = func(list []*definition.Step) {
		for _, s := range list {
			if s == nil {
				continue
			}
			if s.Type == definition.KindWaitForEvent && s.Approval != nil {
				out = append(out, s)
			}
			walk(s.Steps)
			walk(s.Notify)
			for _, b := range s.Branches {
				if b != nil {
					walk(b.Steps)
				}
			}
		}
	}
	walk(def.Steps)
	return out
}

// stepAt returns the step a path names, or nil (see definitionHasPath).
func stepAt(list []*definition.Step, path string) *definition.Step {
	for path != "" {
		id, rest := path, ""
		if i := strings.IndexAny(path, ".["); i >= 0 {
			id, rest = path[:i], path[i:]
		}
		i := slices.IndexFunc(list, func(s *definition.Step) bool { return s != nil && s.ID == id })
		if i < 0 {
			return nil
		}
		s := list[i]
		switch {
		case rest == "":
			return s
		case strings.HasPrefix(rest, "["):
			j := strings.Index(rest, "].")
			if j < 0 {
				return nil
			}
			list, path = s.Steps, rest[j+2:]
		case s.Type == definition.KindParallel:
			name, after, _ := strings.Cut(rest[1:], ".")
			k := slices.IndexFunc(s.Branches, func(b *definition.Branch) bool { return b != nil && b.Name == name })
			if k < 0 {
				return nil
			}
			list, path = s.Branches[k].Steps, after
		default:
			list, path = nestedSteps(s), rest[1:]
		}
	}
	return nil
}

// redacted copies steps with every approval link the run made masked in
// inputs and outputs: the run log is readable with a viewer key, and a
// link there would let its reader decide as the approver.
func (r *runner) redacted(steps []StepRecord) []StepRecord {
	out := append([]StepRecord(nil), steps...)
	if len(r.redact) == 0 {
		return out
	}
	for i := range out {
		out[i].Input = maskLinks(out[i].Input, r.redact)
		out[i].Output = maskLinks(out[i].Output, r.redact)
	}
	return out
}

func maskLinks(raw json.RawMessage, links []string) json.RawMessage {
	if len(raw) == 0 {
		return raw
	}
	s := string(raw)
	for _, l := range links {
		if i := strings.Index(l, ApprovalPath); i >= 0 {
			s = strings.ReplaceAll(s, l[i+len(ApprovalPath):], "(link hidden)")
		}
	}
	return json.RawMessage(s)
}
