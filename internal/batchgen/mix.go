package batchgen

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
)

// The production mix the performance targets are stated in (issue #13):
// of every 100 log events, 10 are REPORT lines, 10 are authentication
// failures (JSON and text shapes), and the rest are application lines of
// 80–400 bytes. Unlike Generate's invocation-shaped batches, every event is
// drawn independently, so any seed gives the same proportions.
const (
	MixReportPct = 10
	MixAuthPct   = 10
)

// mixFunctions are the log groups Capture spreads its batches over, so that
// detection sees several functions as a real account does.
var mixFunctions = []string{"checkout-api", "orders-worker", "auth-service", "image-resizer", "billing-cron"}

// Mix generates one batch of the production mix deterministically from o
// (Events default 5,000, about 1.5 MB inflated, a max-size delivery).
func Mix(o Options) Batch {
	if o.Events <= 0 {
		o.Events = 5000
	}
	if o.LogGroup == "" {
		o.LogGroup = "/aws/lambda/" + mixFunctions[o.Seed%uint64(len(mixFunctions))]
	}
	if o.LogStream == "" {
		o.LogStream = fmt.Sprintf("2024/06/17/[$LATEST]%032x", o.Seed*0x9e3779b97f4a7c15)
	}
	if o.StartMs == 0 {
		o.StartMs = 1718645035000
	}
	g := &gen{r: rand.New(rand.NewPCG(o.Seed, 0x6d6978)), ts: o.StartMs, kinds: map[string]int{}}
	// A function logs in text or JSON format (its LoggingConfig), not both.
	g.json = g.r.IntN(5) == 0
	req := g.uuid()
	for len(g.msgs) < o.Events {
		if g.r.IntN(6) == 0 {
			req = g.uuid()
		}
		switch p := g.r.IntN(100); {
		case p < MixReportPct:
			g.mixReport(req)
		case p < MixReportPct+MixAuthPct:
			g.add("auth", g.authFailure(req))
		default:
			g.add("app", g.appLine(req))
		}
	}
	return g.encode(o)
}

// mixReport adds one REPORT line, text or (for JSON-format functions)
// platform.report, occasionally cold, timed out or out of memory.
func (g *gen) mixReport(req string) {
	dur := 2 + g.r.Float64()*800
	mem := []int{128, 256, 512, 1024}[g.r.IntN(4)]
	used := 40 + g.r.IntN(mem/2)
	cold := g.r.IntN(20) == 0
	if g.json {
		init := ""
		if cold {
			init = fmt.Sprintf(`,"initDurationMs":%.3f`, 150+g.r.Float64()*600)
		}
		g.add("platform", fmt.Sprintf(`{"time":"%s","type":"platform.report","record":{"requestId":"%s","metrics":{"durationMs":%.3f,"billedDurationMs":%d,"memorySizeMB":%d,"maxMemoryUsedMB":%d%s},"status":"success"}}`,
			g.iso(), req, dur, int(dur)+1, mem, used, init))
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, "REPORT RequestId: %s\tDuration: %.2f ms\tBilled Duration: %d ms\tMemory Size: %d MB\tMax Memory Used: %d MB\t", req, dur, int(dur)+1, mem, used)
	if cold {
		fmt.Fprintf(&b, "Init Duration: %.2f ms\t", 150+g.r.Float64()*600)
	}
	switch g.r.IntN(200) {
	case 0:
		b.WriteString("Status: timeout\t")
	case 1:
		b.WriteString("Status: error\tError Type: Runtime.OutOfMemory\t")
	}
	b.WriteString("\n")
	g.add("platform", b.String())
}

// authFailure is a failed login in one of the shapes logwarden recognises:
// half JSON (app logs, OWASP vocabulary, API Gateway access logs), half
// text (sshd, CLF access log, generic runtime text).
func (g *gen) authFailure(req string) string {
	user, ip := users[g.r.IntN(len(users))], g.ip()
	quser := strings.ReplaceAll(user, `"`, `\"`)
	switch g.r.IntN(6) {
	case 0:
		return fmt.Sprintf(`{"timestamp":"%s","level":"WARN","requestId":"%s","event":"login_failed","user":"%s","ip":"%s","reason":"invalid_password"}`+"\n", g.iso(), req, quser, ip)
	case 1:
		return fmt.Sprintf(`{"datetime":"%s","appid":"checkout","event":"authn_login_fail:%s","level":"WARN","description":"User %s login failed","source_ip":"%s"}`, g.iso(), quser, quser, ip)
	case 2:
		return fmt.Sprintf(`{ "requestId":"%s", "ip": "%s", "caller":"-", "user":"-", "requestTime":"17/Jun/2024:17:23:55 +0000", "httpMethod":"POST", "resourcePath":"/login", "status":"401", "protocol":"HTTP/1.1", "responseLength":"26" }`, req, ip)
	case 3:
		return fmt.Sprintf("Feb 25 14:34:10 ip-10-0-1-12 sshd[%d]: Failed password for invalid user %s from %s port %d ssh2", 1000+g.r.IntN(30000), strings.Fields(user)[0], ip, 1024+g.r.IntN(60000))
	case 4:
		return fmt.Sprintf(`%s - - [17/Jun/2024:17:23:55 +0000] "POST /api/login HTTP/1.1" 401 26 %s`, ip, req)
	default:
		return fmt.Sprintf("%s\t%s\tWARN\tlogin failed for %s from %s\n", g.iso(), req, strings.Fields(user)[0], ip)
	}
}

// encode renders the generated events as a batch in every encoding.
func (g *gen) encode(o Options) Batch {
	g.msgs = g.msgs[:o.Events]
	doc := document{
		MessageType: "DATA_MESSAGE", Owner: "123456789012",
		LogGroup: o.LogGroup, LogStream: o.LogStream,
		SubscriptionFilters: []string{"logwarden"},
		LogEvents:           make([]logEvent, len(g.msgs)),
	}
	for i, m := range g.msgs {
		doc.LogEvents[i] = logEvent{ID: g.ids[i], Timestamp: g.tss[i], Message: m}
	}
	var js bytes.Buffer
	enc := json.NewEncoder(&js)
	enc.SetEscapeHTML(false) // CloudWatch does not HTML-escape
	if err := enc.Encode(doc); err != nil {
		panic(fmt.Sprintf("batchgen: encode: %v", err)) // plain strings only: cannot fail
	}
	document := bytes.TrimSuffix(js.Bytes(), []byte("\n"))
	gz := Gzip(document)
	b64 := base64.StdEncoding.EncodeToString(gz)
	event := []byte(`{"awslogs":{"data":"` + b64 + `"}}`)
	return Batch{Document: document, Gzip: gz, Base64: b64, Event: event, Messages: g.msgs, Kinds: g.kinds}
}

// CaptureStats describes a capture Capture wrote.
type CaptureStats struct {
	Batches, Events int
	Inflated, Bytes int64 // documents' total size; the file's size
}

// Capture writes n max-size Lambda subscription events of the production
// mix, one per line, as a user saves a day of deliveries for `logwarden
// parse` or `replay`: batch i has seed seed+i, a function of its own among
// five, and timestamps following the previous batch's.
func Capture(w io.Writer, n int, seed uint64) (CaptureStats, error) {
	var st CaptureStats
	start := int64(1718645035000)
	for i := range n {
		b := Mix(Options{Seed: seed + uint64(i), StartMs: start})
		start += 5000 * 20 // the mix advances about 20 ms per event
		if _, err := w.Write(append(b.Event, '\n')); err != nil {
			return st, err
		}
		st.Batches++
		st.Events += len(b.Messages)
		st.Inflated += int64(len(b.Document))
		st.Bytes += int64(len(b.Event) + 1)
	}
	return st, nil
}
