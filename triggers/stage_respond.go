package triggers

import (
	"bytes"
	"encoding/json"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/hookflow/hookflow/engine/definition"
	"github.com/hookflow/hookflow/engine/interpreter"
	"github.com/hookflow/hookflow/engine/store"
)

// Stage 5, respond: acknowledge the committed delivery and hand its
// accepted events to the Dispatcher. A trigger with respond: on_complete
// and a delivery of one accepted event waits for the run's own reply
// instead (Dispatch.AwaitReply), and falls back to the 202 when none
// comes in time.

// respond answers the committed delivery.
func (g *Ingestor) respond(w http.ResponseWriter, d *delivery, accepted []store.Event, reply Reply) {
	// A reply lists Events only for a delivery of several events.
	if len(accepted) == 1 && len(reply.Events) == 0 && d.rt.pin.Trigger.Respond == definition.RespondOnComplete {
		if resp, ok := g.runs.AwaitReply(d.ctx(), accepted[0]); ok {
			writeResponse(w, resp)
			return
		}
		d.accept(w, reply)
		return
	}
	for _, ev := range accepted {
		g.runs.Enqueue(ev)
	}
	d.accept(w, reply)
}

// accept answers a delivery the pipeline took: the trigger's own
// acknowledgement when its provider expects one (connectors.Trigger.Ack),
// else hookflow's 202 receipt naming the stored event.
func (d *delivery) accept(w http.ResponseWriter, reply Reply) {
	if d.rt.trigger != nil && d.rt.trigger.Ack != nil {
		ack := d.rt.trigger.Ack
		status := ack.Status
		if status == 0 {
			status = http.StatusOK
		}
		writeRaw(w, status, ack.ContentType, ack.Body)
		return
	}
	writeJSON(w, http.StatusAccepted, reply)
}

// hopHeaders are never copied from a workflow's reply.
var hopHeaders = map[string]bool{"Connection": true, "Content-Length": true, "Transfer-Encoding": true,
	"Keep-Alive": true, "Upgrade": true, "Trailer": true, "Te": true, "Proxy-Connection": true}

// writeResponse writes a reply shaped by a respond step. A JSON string
// body with a non-JSON content type is written as plain text.
func writeResponse(w http.ResponseWriter, resp interpreter.Response) {
	status := resp.Status
	if status < 200 || status > 599 {
		status = http.StatusOK
	}
	ct := ""
	for k, v := range resp.Headers {
		k = http.CanonicalHeaderKey(k)
		if hopHeaders[k] || strings.ContainsAny(v, "\r\n") {
			continue
		}
		if k == "Content-Type" {
			ct = v
			continue
		}
		w.Header().Set(k, v)
	}
	body := []byte(resp.Body)
	if ct == "" {
		ct = "application/json"
	}
	if mt, _, _ := mime.ParseMediaType(ct); mt != "application/json" && !strings.HasSuffix(mt, "+json") {
		var str string
		if json.Unmarshal(body, &str) == nil {
			body = []byte(str)
		}
	}
	writeRaw(w, status, ct, body)
}

func writeRaw(w http.ResponseWriter, status int, contentType string, body []byte) {
	if contentType != "" {
		w.Header().Set("Content-Type", contentType)
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	_ = json.NewEncoder(&buf).Encode(v)
	writeRaw(w, status, "application/json", buf.Bytes())
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}
