package ui_test

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/net/websocket"
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

// browser is a headless Chromium driven over the DevTools protocol: one
// websocket to the browser, one page attached with a flattened session.
type browser struct {
	// t receives failures; with gives a subtest its own view.
	t testing.TB
	*conn
}

// with returns the same browser reporting failures to t (a subtest).
func (b *browser) with(t testing.TB) *browser { return &browser{t: t, conn: b.conn} }

// conn is the state shared by every view of one browser.
type conn struct {
	cmd     *exec.Cmd
	ws      *websocket.Conn
	session string

	mu      sync.Mutex
	nextID  int64
	pending map[int64]chan cdpMessage
	// problems collects uncaught exceptions and console errors from the
	// page; a UI test fails if any appear.
	problems []string
	// dialogs lists the messages of confirm() dialogs, all accepted.
	dialogs []string
	closed  chan struct{}
}

type cdpMessage struct {
	ID        int64           `json:"id,omitempty"`
	Method    string          `json:"method,omitempty"`
	Params    json.RawMessage `json:"params,omitempty"`
	Result    json.RawMessage `json:"result,omitempty"`
	Error     *cdpError       `json:"error,omitempty"`
	SessionID string          `json:"sessionId,omitempty"`
}

type cdpError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Data    string `json:"data,omitempty"`
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

// startBrowser launches Chromium headless with a private profile, waits
// for its DevToolsActivePort file, connects and opens one page of the
// given size. The browser is killed at test cleanup.
func startBrowser(t testing.TB, width, height int) *browser {
	t.Helper()
	ensureChromium(t)
	profile := t.TempDir()
	cmd := exec.Command(chromiumPath,
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-default-apps", "--disable-extensions", "--mute-audio", "--hide-scrollbars",
		"--user-data-dir="+profile,
		"--remote-debugging-port=0",
		// golang.org/x/net/websocket always sends an Origin header, and
		// Chromium refuses DevTools connections from origins it was not told about.
		"--remote-allow-origins=http://127.0.0.1",
		fmt.Sprintf("--window-size=%d,%d", width, height),
		"about:blank")
	var stderr strings.Builder
	cmd.Stderr = &limitedWriter{w: &stderr, max: 64 << 10}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", chromiumPath, err)
	}
	b := &browser{t: t, conn: &conn{cmd: cmd, pending: map[int64]chan cdpMessage{}, closed: make(chan struct{})}}
	t.Cleanup(b.close)

	portFile := filepath.Join(profile, "DevToolsActivePort")
	deadline := time.Now().Add(browserStartTimeout)
	var port, path string
	for {
		if raw, err := os.ReadFile(portFile); err == nil {
			lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
			if len(lines) == 2 {
				port, path = strings.TrimSpace(lines[0]), strings.TrimSpace(lines[1])
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("Chromium wrote no %s within %s; its stderr:\n%s", portFile, browserStartTimeout, stderr.String())
		}
		time.Sleep(pollInterval)
	}
	ws, err := websocket.Dial("ws://127.0.0.1:"+port+path, "", "http://127.0.0.1")
	if err != nil {
		t.Fatalf("connecting to Chromium's DevTools socket: %v", err)
	}
	ws.MaxPayloadBytes = 64 << 20 // screenshots arrive as one large message
	b.ws = ws
	go b.readLoop()

	var target struct {
		TargetID string `json:"targetId"`
	}
	b.browserCall("Target.createTarget", map[string]any{"url": "about:blank"}, &target)
	var attached struct {
		SessionID string `json:"sessionId"`
	}
	b.browserCall("Target.attachToTarget", map[string]any{"targetId": target.TargetID, "flatten": true}, &attached)
	b.session = attached.SessionID
	b.call("Page.enable", nil, nil)
	b.call("Runtime.enable", nil, nil)
	b.call("Log.enable", nil, nil)
	b.call("Emulation.setDeviceMetricsOverride", map[string]any{
		"width": width, "height": height, "deviceScaleFactor": 1, "mobile": false,
	}, nil)
	return b
}

type limitedWriter struct {
	mu  sync.Mutex
	w   *strings.Builder
	max int
}

func (l *limitedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if room := l.max - l.w.Len(); room > 0 {
		if len(p) > room {
			l.w.Write(p[:room])
		} else {
			l.w.Write(p)
		}
	}
	return len(p), nil
}

func (b *conn) close() {
	select {
	case <-b.closed:
		return
	default:
	}
	if b.ws != nil {
		// Browser.close lets Chromium flush and exit; the kill below is
		// the fallback when it does not.
		_ = websocket.JSON.Send(b.ws, cdpMessage{ID: 1 << 40, Method: "Browser.close"})
		_ = b.ws.Close()
	}
	done := make(chan struct{})
	go func() { _ = b.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		_ = b.cmd.Process.Kill()
		<-done
	}
	close(b.closed)
}

func (b *conn) readLoop() {
	for {
		var msg cdpMessage
		if err := websocket.JSON.Receive(b.ws, &msg); err != nil {
			b.mu.Lock()
			for id, ch := range b.pending {
				ch <- cdpMessage{ID: id, Error: &cdpError{Message: "DevTools connection closed: " + err.Error()}}
				delete(b.pending, id)
			}
			b.mu.Unlock()
			return
		}
		if msg.ID != 0 {
			b.mu.Lock()
			ch := b.pending[msg.ID]
			delete(b.pending, msg.ID)
			b.mu.Unlock()
			if ch != nil {
				ch <- msg
			}
			continue
		}
		b.event(msg)
	}
}

// event records page problems: uncaught exceptions, console.error and
// error log entries (failed module loads, CSP violations).
func (b *conn) event(msg cdpMessage) {
	var problem string
	switch msg.Method {
	case "Page.javascriptDialogOpening":
		// confirm() before a delete or a replay: accept it as the user
		// would, from a goroutine because this one must keep reading.
		var p struct {
			Message string `json:"message"`
		}
		_ = json.Unmarshal(msg.Params, &p)
		b.mu.Lock()
		b.dialogs = append(b.dialogs, p.Message)
		b.mu.Unlock()
		go func() {
			_ = b.send(msg.SessionID, "Page.handleJavaScriptDialog", map[string]any{"accept": true}, nil)
		}()
	case "Runtime.exceptionThrown":
		var p struct {
			ExceptionDetails struct {
				Text      string `json:"text"`
				URL       string `json:"url"`
				Line      int    `json:"lineNumber"`
				Exception struct {
					Description string `json:"description"`
				} `json:"exception"`
			} `json:"exceptionDetails"`
		}
		_ = json.Unmarshal(msg.Params, &p)
		d := p.ExceptionDetails
		problem = fmt.Sprintf("uncaught exception at %s:%d: %s %s", d.URL, d.Line, d.Text, d.Exception.Description)
	case "Runtime.consoleAPICalled":
		var p struct {
			Type string `json:"type"`
			Args []struct {
				Value       any    `json:"value"`
				Description string `json:"description"`
			} `json:"args"`
		}
		_ = json.Unmarshal(msg.Params, &p)
		if p.Type == "error" {
			parts := []string{}
			for _, a := range p.Args {
				if a.Description != "" {
					parts = append(parts, a.Description)
				} else {
					parts = append(parts, fmt.Sprint(a.Value))
				}
			}
			problem = "console.error: " + strings.Join(parts, " ")
		}
	case "Log.entryAdded":
		var p struct {
			Entry struct {
				Level  string `json:"level"`
				Text   string `json:"text"`
				URL    string `json:"url"`
				Source string `json:"source"`
			} `json:"entry"`
		}
		_ = json.Unmarshal(msg.Params, &p)
		// Failed API calls the UI handles itself (a 422 on save, a 409 on
		// delete) are logged by the browser as network errors; they are
		// expected. Anything else at error level is a defect.
		if p.Entry.Level == "error" && p.Entry.Source != "network" {
			problem = fmt.Sprintf("browser log (%s): %s %s", p.Entry.Source, p.Entry.Text, p.Entry.URL)
		}
	}
	if problem != "" {
		b.mu.Lock()
		b.problems = append(b.problems, problem)
		b.mu.Unlock()
	}
}

// pageProblems returns and clears the problems seen so far.
func (b *conn) pageProblems() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	p := b.problems
	b.problems = nil
	return p
}

func (b *browser) browserCall(method string, params any, out any) {
	b.t.Helper()
	if err := b.send("", method, params, out); err != nil {
		b.t.Fatalf("%s: %v", method, err)
	}
}

// call sends a command to the page session and decodes its result.
func (b *browser) call(method string, params any, out any) {
	b.t.Helper()
	if err := b.send(b.session, method, params, out); err != nil {
		b.t.Fatalf("%s: %v", method, err)
	}
}

func (b *conn) send(session, method string, params any, out any) error {
	b.mu.Lock()
	b.nextID++
	id := b.nextID
	ch := make(chan cdpMessage, 1)
	b.pending[id] = ch
	b.mu.Unlock()
	raw, err := json.Marshal(params)
	if err != nil {
		return err
	}
	if params == nil {
		raw = []byte("{}")
	}
	if err := websocket.JSON.Send(b.ws, cdpMessage{ID: id, Method: method, Params: raw, SessionID: session}); err != nil {
		return fmt.Errorf("sending: %w", err)
	}
	select {
	case msg := <-ch:
		if msg.Error != nil {
			return fmt.Errorf("DevTools error %d: %s %s", msg.Error.Code, msg.Error.Message, msg.Error.Data)
		}
		if out != nil {
			return json.Unmarshal(msg.Result, out)
		}
		return nil
	case <-time.After(waitTimeout):
		return errors.New("no answer from Chromium")
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

func (b *browser) tryEval(expr string, out any) error {
	var res struct {
		Result struct {
			Type  string          `json:"type"`
			Value json.RawMessage `json:"value"`
		} `json:"result"`
		ExceptionDetails *struct {
			Text      string `json:"text"`
			Exception struct {
				Description string `json:"description"`
			} `json:"exception"`
		} `json:"exceptionDetails"`
	}
	if err := b.send(b.session, "Runtime.evaluate", map[string]any{
		"expression": expr, "awaitPromise": true, "returnByValue": true, "userGesture": true,
	}, &res); err != nil {
		return err
	}
	if res.ExceptionDetails != nil {
		return fmt.Errorf("%s %s", res.ExceptionDetails.Text, res.ExceptionDetails.Exception.Description)
	}
	if out != nil && len(res.Result.Value) > 0 {
		return json.Unmarshal(res.Result.Value, out)
	}
	return nil
}

// navigate loads url and waits for the document to finish loading.
func (b *browser) navigate(url string) {
	b.t.Helper()
	b.call("Page.navigate", map[string]any{"url": url}, nil)
	b.waitFor(`document.readyState === "complete"`, "the page to load")
}

// waitFor polls a JavaScript condition until it is truthy. what names the
// condition in the failure message, which also carries the page's text.
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
	// the test: it fails naming the element on top.
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
	for _, typ := range []string{"mousePressed", "mouseReleased"} {
		b.call("Input.dispatchMouseEvent", map[string]any{"type": typ, "x": box.X, "y": box.Y, "button": "left", "clickCount": 1}, nil)
	}
}

// typeInto focuses an input, clears it and types text through the
// browser's input pipeline, which fires the same input events as a
// keyboard.
func (b *browser) typeInto(selector, text string) {
	b.t.Helper()
	b.waitFor(fmt.Sprintf(`document.querySelector(%s)`, js(selector)), selector)
	b.eval(fmt.Sprintf(`(() => { const e = document.querySelector(%s); e.scrollIntoView({block: "center"}); e.focus(); e.select && e.select(); })()`, js(selector)), nil)
	b.call("Input.dispatchKeyEvent", map[string]any{"type": "keyDown", "key": "Backspace", "code": "Backspace", "windowsVirtualKeyCode": 8}, nil)
	b.call("Input.dispatchKeyEvent", map[string]any{"type": "keyUp", "key": "Backspace", "code": "Backspace", "windowsVirtualKeyCode": 8}, nil)
	if text != "" {
		b.call("Input.insertText", map[string]any{"text": text}, nil)
	}
}

// selectOption picks the option with value in a <select> and fires
// change, as choosing it with the mouse does.
func (b *browser) selectOption(selector, value string) {
	b.t.Helper()
	b.waitFor(fmt.Sprintf(`(() => { const s = document.querySelector(%s); return s && [...s.options].some(o => o.value === %s); })()`, js(selector), js(value)), "option "+value+" in "+selector)
	b.eval(fmt.Sprintf(`(() => { const s = document.querySelector(%s); s.focus(); s.value = %s; s.dispatchEvent(new Event("input", {bubbles: true})); s.dispatchEvent(new Event("change", {bubbles: true})); })()`, js(selector), js(value)), nil)
}

// text returns the innerText of the first element matching selector.
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
	var res struct {
		Data string `json:"data"`
	}
	b.call("Page.captureScreenshot", map[string]any{"format": "png", "captureBeyondViewport": true}, &res)
	png, err := base64.StdEncoding.DecodeString(res.Data)
	if err != nil {
		b.t.Fatalf("decoding screenshot: %v", err)
	}
	path := filepath.Join(dir, name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Fatalf("writing screenshot: %v", err)
	}
	return path
}
