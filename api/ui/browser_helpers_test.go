package ui_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// chromiumPath is where Debian's chromium package installs the browser.
const chromiumPath = "/usr/bin/chromium"

// Bounds on waiting for the browser. They only turn a hang into a failure
// with a message; no assertion depends on how fast anything is.
const (
	browserStartTimeout = 60 * time.Second
	waitTimeout         = 20 * time.Second
	pollInterval        = 50 * time.Millisecond
)

// browser is a headless Chromium driven through chromedp: one browser
// process, one tab.
type browser struct {
	// t receives failures; with gives a subtest its own view.
	t testing.TB
	*conn
}

// with returns the same browser reporting failures to t (a subtest).
func (b *browser) with(t testing.TB) *browser { return &browser{t: t, conn: b.conn} }

// conn is the state shared by every view of one browser.
type conn struct {
	// tab is the chromedp context of the one page; every action runs on
	// a context derived from it with a deadline.
	tab    context.Context
	output *limitedWriter

	mu sync.Mutex
	// problems collects what the page reported as wrong: uncaught
	// exceptions, console errors, browser log errors and failed network
	// requests. A UI test fails if any appear.
	problems []string
	// requests maps requests in flight to their URL, because the event of
	// a failed request carries only its id.
	requests map[network.RequestID]string
}

// chromiumOnce installs Chromium at most once per test binary.
var (
	chromiumOnce sync.Once
	chromiumErr  error
)

// ensureChromium makes sure Debian's chromium package is installed. The
// README promises that `go test ./...` passes on a fresh machine that has
// only Go, and these tests need a real browser, so when it is missing and
// the tests run as root with apt-get available they install it from the
// machine's package registry; anywhere else they fail with the command to
// run. They never skip.
func ensureChromium(t testing.TB) {
	t.Helper()
	chromiumOnce.Do(func() {
		if _, err := os.Stat(chromiumPath); err == nil {
			return
		}
		apt, err := exec.LookPath("apt-get")
		if err != nil || os.Geteuid() != 0 {
			chromiumErr = fmt.Errorf("%s is missing and cannot be installed from here (need root and apt-get)", chromiumPath)
			return
		}
		t.Logf("%s is missing: installing Debian's chromium package (apt-get update && apt-get install -y chromium)", chromiumPath)
		for _, args := range [][]string{{"update", "-qq"}, {"install", "-y", "-qq", "chromium"}} {
			cmd := exec.Command(apt, args...)
			cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
			if out, err := cmd.CombinedOutput(); err != nil {
				chromiumErr = fmt.Errorf("apt-get %s: %v\n%s", strings.Join(args, " "), err, tail(string(out), 2000))
				return
			}
		}
		if _, err := os.Stat(chromiumPath); err != nil {
			chromiumErr = fmt.Errorf("installed the chromium package but %s is still missing", chromiumPath)
		}
	})
	if chromiumErr != nil {
		t.Fatalf("the UI tests drive a real headless Chromium: %v; install it with: apt-get update && apt-get install -y chromium", chromiumErr)
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// startBrowser launches Debian's Chromium headless (chromedp adds
// --no-sandbox when the tests run as root, which Chromium requires) with
// a private profile, and opens one page of the given size. The browser
// is stopped at test cleanup.
func startBrowser(t testing.TB, width, height int) *browser {
	t.Helper()
	ensureChromium(t)
	c := &conn{output: &limitedWriter{max: 64 << 10}, requests: map[network.RequestID]string{}}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath),
		chromedp.WindowSize(width, height),
		// No GPU on the test machines: render in software from the
		// start. No component downloads in the middle of a test.
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.CombinedOutput(c.output),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	// The listener is in place before the tab's first command, so no
	// event of the page is missed.
	tab, cancelTab := chromedp.NewContext(allocCtx, chromedp.WithListener(c.observe))
	c.tab = tab
	t.Cleanup(func() {
		cancelTab() // kills the browser and waits for it
		cancelAlloc()
	})

	// The first action starts the browser and binds its life to the
	// context it runs on, so it cannot run under a deadline; a timer
	// cancels the tab instead when Chromium does not come up.
	timer := time.AfterFunc(browserStartTimeout, cancelTab)
	err := chromedp.Do(tab)
	if !timer.Stop() {
		t.Fatalf("Chromium did not start within %s; its output:\n%s", browserStartTimeout, c.output.String())
	}
	if err != nil {
		t.Fatalf("starting %s: %v\nits output:\n%s", chromiumPath, err, c.output.String())
	}
	b := &browser{t: t, conn: c}
	b.do("setting the page size", chromedp.EmulateViewport(int64(width), int64(height)))
	return b
}

// limitedWriter keeps the first max bytes of Chromium's output, enough
// to explain a failed start.
type limitedWriter struct {
	mu  sync.Mutex
	w   strings.Builder
	max int
}

func (l *limitedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if room := l.max - l.w.Len(); room > 0 {
		l.w.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

func (l *limitedWriter) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.String()
}

// observe runs in chromedp's read loop for every event of the tab, in
// order, before the reply to any later command is handed out; so a
// problem caused by a step is recorded by the time that step returns. It
// must return fast and send no command itself.
func (c *conn) observe(ev any) {
	var problem string
	switch ev := ev.(type) {
	case *page.EventJavascriptDialogOpening:
		// confirm() before a delete or a replay: accept it as the user
		// would. The answer is a command, so it goes from a goroutine.
		go func() {
			ctx, cancel := context.WithTimeout(c.tab, waitTimeout)
			defer cancel()
			if _, err := chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true}); err != nil {
				c.addProblem(fmt.Sprintf("accepting the dialog %q: %v", ev.Message, err))
			}
		}()
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		desc := ""
		if d.Exception != nil {
			desc = d.Exception.Description
		}
		problem = fmt.Sprintf("uncaught exception at %s:%d: %s %s", d.URL, d.LineNumber, d.Text, desc)
	case *runtime.EventConsoleAPICalled:
		if ev.Type == runtime.ConsoleAPICalledTypeError {
			parts := []string{}
			for _, a := range ev.Args {
				var v any
				if a.Description != "" {
					parts = append(parts, a.Description)
				} else if json.Unmarshal(a.Value, &v) == nil {
					parts = append(parts, fmt.Sprint(v))
				} else {
					parts = append(parts, string(a.Value))
				}
			}
			problem = "console.error: " + strings.Join(parts, " ")
		}
	case *cdplog.EventEntryAdded:
		// Failed API calls the UI handles itself (a 422 on save, a 409 on
		// delete) are logged by the browser as network errors; they are
		// expected. Anything else at error level is a defect.
		if e := ev.Entry; e.Level == cdplog.EntryLevelError && e.Source != cdplog.EntrySourceNetwork {
			problem = fmt.Sprintf("browser log (%s): %s %s", e.Source, e.Text, e.URL)
		}
	case *network.EventRequestWillBeSent:
		c.mu.Lock()
		c.requests[ev.RequestID] = ev.Request.URL
		c.mu.Unlock()
	case *network.EventLoadingFinished:
		c.mu.Lock()
		delete(c.requests, ev.RequestID)
		c.mu.Unlock()
	case *network.EventLoadingFailed:
		c.mu.Lock()
		url := c.requests[ev.RequestID]
		delete(c.requests, ev.RequestID)
		c.mu.Unlock()
		// A request the page gave up on (a long poll ended by leaving
		// the page, an aborted fetch) is not a failure. One that could
		// not be made, or was blocked, is: a missing asset, a refused
		// connection, a CSP or CORS block.
		if !ev.Canceled {
			why := ev.ErrorText
			if ev.BlockedReason != "" {
				why = strings.TrimSpace(why + " blocked: " + string(ev.BlockedReason))
			}
			problem = fmt.Sprintf("failed request (%s) %s: %s", ev.Type, url, why)
		}
	case *network.EventResponseReceived:
		// The UI's own API calls answer 4xx on purpose (see above) and
		// the UI shows those; a page resource (a script, a stylesheet,
		// an image) that answers an error is a broken page.
		if ev.Response.Status >= 400 && ev.Type != network.ResourceTypeFetch && ev.Type != network.ResourceTypeXHR {
			problem = fmt.Sprintf("failed request (%s) %s: HTTP %d", ev.Type, ev.Response.URL, ev.Response.Status)
		}
	}
	if problem != "" {
		c.addProblem(problem)
	}
}

func (c *conn) addProblem(p string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.problems = append(c.problems, p)
}

// pageProblems returns and clears the problems seen so far.
func (c *conn) pageProblems() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	p := c.problems
	c.problems = nil
	return p
}

// do runs chromedp actions on the page, bounded by waitTimeout, and fails
// the test naming what was being done.
func (b *browser) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.tab, waitTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
}

// eval runs a JavaScript expression in the page (awaiting promises) and
// decodes its value into out (may be nil).
func (b *browser) eval(expr string, out any) {
	b.t.Helper()
	if err := b.tryEval(expr, out); err != nil {
		b.t.Fatalf("evaluating %s: %v", expr, err)
	}
}

// tryEval is eval returning the error: a thrown exception, a value that
// does not decode into out, or no answer within waitTimeout.
func (b *browser) tryEval(expr string, out any) error {
	ctx, cancel := context.WithTimeout(b.tab, waitTimeout)
	defer cancel()
	// As a user's action, so the page may do what needs one (focus,
	// clipboard).
	userGesture := func(p *runtime.EvaluateParams) { p.UserGesture = new(true) }
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[[]byte](expr, chromedp.EvalAwaitPromise, userGesture))
	if err != nil {
		return err
	}
	if out != nil && len(raw) > 0 {
		return json.Unmarshal(raw, out)
	}
	return nil
}

// navigate loads url and waits for the document to finish loading.
func (b *browser) navigate(url string) {
	b.t.Helper()
	b.do("navigating to "+url, chromedp.Navigate(url))
	b.waitFor(`document.readyState === "complete"`, "the page to load")
}

// waitFor polls a JavaScript condition until it is truthy. what names the
// condition in the failure message, which also carries the page's text.
//
// It polls from Go rather than with chromedp.Poll, whose in-page loop
// ends at the first exception of the condition and does not survive a
// navigation; conditions here may throw while the page re-renders.
func (b *browser) waitFor(cond, what string) {
	b.t.Helper()
	deadline := time.Now().Add(waitTimeout)
	var lastErr error
	for {
		var ok bool
		lastErr = b.tryEval("!!("+cond+")", &ok)
		if lastErr == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			var text string
			_ = b.tryEval(`document.body ? document.body.innerText.slice(0, 3000) : ""`, &text)
			b.t.Fatalf("waiting for %s (%s): not true after %s (last error %v); page text:\n%s\npage problems: %v",
				what, cond, waitTimeout, lastErr, text, b.pageProblems())
		}
		time.Sleep(pollInterval)
	}
}

// js quotes s as a JavaScript string literal.
func js(s string) string {
	raw, _ := json.Marshal(s)
	return string(raw)
}

// click waits for the element and clicks it with a real mouse event at
// its centre, as a user would (so focus, default actions and handlers all
// run as in a real click).
func (b *browser) click(selector string) {
	b.t.Helper()
	b.waitFor(fmt.Sprintf(`(() => { const e = document.querySelector(%s); return e && !e.disabled && e.getClientRects().length > 0; })()`, js(selector)), "clickable "+selector)
	var box struct {
		X, Y    float64
		Covered string
	}
	// A user cannot click what something else covers, so neither does
	// the test: it fails naming the element on top. The click goes to the
	// very point checked.
	b.eval(fmt.Sprintf(`(() => {
		const e = document.querySelector(%s);
		e.scrollIntoView({block: "center"});
		const r = e.getBoundingClientRect();
		const x = r.left + r.width / 2, y = r.top + r.height / 2;
		const top = document.elementFromPoint(x, y);
		const covered = top && top !== e && !e.contains(top) ? top.outerHTML.slice(0, 200) : "";
		return {X: x, Y: y, Covered: covered};
	})()`, js(selector)), &box)
	if box.Covered != "" {
		b.t.Fatalf("cannot click %s: it is covered by %s", selector, box.Covered)
	}
	b.do("clicking "+selector, chromedp.MouseClickXY(box.X, box.Y))
}

// slowClick is click with the button held down for hold between press
// and release, as a deliberate user's click is.
func (b *browser) slowClick(selector string, hold time.Duration) {
	b.t.Helper()
	b.waitFor(fmt.Sprintf(`(() => { const e = document.querySelector(%s); return e && !e.disabled && e.getClientRects().length > 0; })()`, js(selector)), "clickable "+selector)
	var box struct{ X, Y float64 }
	b.eval(fmt.Sprintf(`(() => {
		const e = document.querySelector(%s);
		e.scrollIntoView({block: "center"});
		const r = e.getBoundingClientRect();
		return {X: r.left + r.width / 2, Y: r.top + r.height / 2};
	})()`, js(selector)), &box)
	b.do("pressing "+selector, chromedp.MouseEvent(input.DispatchMouseEventTypeMousePressed, box.X, box.Y, chromedp.ButtonLeft, chromedp.ClickCount(1)))
	time.Sleep(hold)
	b.do("releasing "+selector, chromedp.MouseEvent(input.DispatchMouseEventTypeMouseReleased, box.X, box.Y, chromedp.ButtonLeft, chromedp.ClickCount(1)))
}

// typeInto focuses an input, clears it and types text on the keyboard,
// key by key, as a user would.
func (b *browser) typeInto(selector, text string) {
	b.t.Helper()
	b.waitFor(fmt.Sprintf(`document.querySelector(%s)`, js(selector)), selector)
	b.eval(fmt.Sprintf(`(() => { const e = document.querySelector(%s); e.scrollIntoView({block: "center"}); e.focus(); e.select && e.select(); })()`, js(selector)), nil)
	// Backspace over the selection clears the field through the same
	// input events as a user's, also when text is empty.
	b.do("typing into "+selector, chromedp.KeyEvent("\b"+text))
}

// selectOption picks the option with value in a <select> and fires
// change, as choosing it with the mouse does.
func (b *browser) selectOption(selector, value string) {
	b.t.Helper()
	b.waitFor(fmt.Sprintf(`(() => { const s = document.querySelector(%s); return s && [...s.options].some(o => o.value === %s); })()`, js(selector), js(value)), "option "+value+" in "+selector)
	b.eval(fmt.Sprintf(`(() => { const s = document.querySelector(%s); s.focus(); s.value = %s; s.dispatchEvent(new Event("input", {bubbles: true})); s.dispatchEvent(new Event("change", {bubbles: true})); })()`, js(selector), js(value)), nil)
}

// text returns the innerText of the first element matching selector, or
// "" when none does.
func (b *browser) text(selector string) string {
	b.t.Helper()
	var s string
	b.eval(fmt.Sprintf(`(() => { const e = document.querySelector(%s); return e ? e.innerText : ""; })()`, js(selector)), &s)
	return s
}

// screenshot saves a PNG of the whole page to dir/name.png and returns its
// path.
func (b *browser) screenshot(dir, name string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.tab, waitTimeout)
	defer cancel()
	// Quality 100 makes chromedp ask for a PNG.
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Fatalf("taking screenshot %s: %v", name, err)
	}
	if len(png) == 0 {
		b.t.Fatalf("taking screenshot %s: Chromium returned an empty image", name)
	}
	path := filepath.Join(dir, name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Fatalf("writing screenshot: %v", err)
	}
	return path
}

// addFilterOnPickedField adds a filter step to the list view's top-level
// steps (at steps[i]) and fills its first condition row's field by
// clicking path in the field picker, as a user would: click into the
// row's field, unfold the sample's tree down to the path, click it. It
// returns the condition's selector.
func (b *browser) addFilterOnPickedField(i int, path string) string {
	b.t.Helper()
	b.selectOption(`select[aria-label="Kind of the new step in steps"]`, "filter")
	b.click(`li.add-step button`)
	cond := fmt.Sprintf(`[data-error-key="steps[%d].if"]`, i)
	b.waitFor(`document.querySelector(`+js(cond+` .cond-field`)+`)`, "the condition builder of the new filter")
	b.click(cond + ` .cond-field`)
	pick := `.picker button.tree-pick[data-path="` + path + `"]`
	b.waitFor(`document.querySelector(`+js(pick)+`)`, path+" in the picker")
	b.eval(`(() => { for (let d = document.querySelector(`+js(pick)+`).closest("details"); d; d = d.parentElement.closest("details")) d.open = true; })()`, nil)
	b.click(pick)
	b.waitFor(`document.querySelector(`+js(cond+` .cond-field`)+`).value === `+js(path), "the picked field in the row")
	return cond
}
