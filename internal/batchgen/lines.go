package batchgen

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

type gen struct {
	r     *rand.Rand
	ts    int64
	seq   int64
	cold  bool
	json  bool // the function logs in JSON format (LoggingConfig)
	msgs  []string
	ids   []string
	tss   []int64
	kinds map[string]int
}

func (g *gen) add(kind, msg string) {
	g.ts += int64(g.r.IntN(40))
	g.seq++
	g.msgs = append(g.msgs, msg)
	g.tss = append(g.tss, g.ts)
	// Real ids are 56 decimal digits that grow with ingestion time.
	g.ids = append(g.ids, fmt.Sprintf("3462231609%010d%018d%018d", 9697884706+g.seq, g.r.Int64N(1e18), g.r.Int64N(1e18)))
	g.kinds[kind]++
}

func (g *gen) uuid() string {
	return fmt.Sprintf("%08x-%04x-%04x-%04x-%012x", g.r.Uint32(), g.r.IntN(1<<16), 0x4000|g.r.IntN(1<<12),
		0x8000|g.r.IntN(1<<14), g.r.Int64N(1<<48))
}

func (g *gen) iso() string {
	return time.UnixMilli(g.ts).UTC().Format("2006-01-02T15:04:05.000Z")
}

// invocation appends one request's worth of lines: START, about seven
// application or auth lines, END and REPORT, giving ~30 % platform lines.
func (g *gen) invocation() {
	req := g.uuid()
	g.json = g.r.IntN(5) == 0
	g.cold = g.r.IntN(20) == 0
	if g.cold {
		if g.json {
			g.add("platform", fmt.Sprintf(`{"time":"%s","type":"platform.initStart","record":{"initializationType":"on-demand","phase":"init","runtimeVersion":"nodejs:20.v22"}}`, g.iso()))
		} else {
			g.add("platform", "INIT_START Runtime Version: nodejs:20.v22\tRuntime Version ARN: arn:aws:lambda:us-east-1::runtime:f89c264158db39a1cfcbb5f9b3741413df1cfce4d0c4f9a7b1b9a1e8f0d4c2a1\n")
		}
	}
	if g.json {
		g.add("platform", fmt.Sprintf(`{"time":"%s","type":"platform.start","record":{"requestId":"%s","version":"$LATEST"}}`, g.iso(), req))
	} else {
		g.add("platform", "START RequestId: "+req+" Version: $LATEST\n")
	}
	for n := 4 + g.r.IntN(5); n > 0; n-- {
		if g.r.IntN(100) < 15 {
			g.add("auth", g.authLine(req))
		} else {
			g.add("app", g.appLine(req))
		}
	}
	g.report(req)
}

func (g *gen) report(req string) {
	dur := 2 + g.r.Float64()*800
	mem := []int{128, 256, 512, 1024}[g.r.IntN(4)]
	used := 40 + g.r.IntN(mem/2)
	if g.json {
		g.add("platform", fmt.Sprintf(`{"time":"%s","type":"platform.runtimeDone","record":{"requestId":"%s","status":"success","metrics":{"durationMs":%.3f,"producedBytes":0}}}`, g.iso(), req, dur))
		init := ""
		if g.cold {
			init = fmt.Sprintf(`,"initDurationMs":%.3f`, 150+g.r.Float64()*600)
		}
		g.add("platform", fmt.Sprintf(`{"time":"%s","type":"platform.report","record":{"requestId":"%s","metrics":{"durationMs":%.3f,"billedDurationMs":%d,"memorySizeMB":%d,"maxMemoryUsedMB":%d%s},"status":"success"}}`,
			g.iso(), req, dur, int(dur)+1, mem, used, init))
		return
	}
	g.add("platform", "END RequestId: "+req+"\n")
	var b strings.Builder
	fmt.Fprintf(&b, "REPORT RequestId: %s\tDuration: %.2f ms\tBilled Duration: %d ms\tMemory Size: %d MB\tMax Memory Used: %d MB\t", req, dur, int(dur)+1, mem, used)
	if g.cold {
		fmt.Fprintf(&b, "Init Duration: %.2f ms\t", 150+g.r.Float64()*600)
	}
	switch g.r.IntN(200) {
	case 0:
		b.WriteString("Status: timeout\t")
	case 1:
		b.WriteString("Status: error\tError Type: Runtime.OutOfMemory\t")
	}
	b.WriteString("\n")
	if g.r.IntN(3) == 0 {
		fmt.Fprintf(&b, "XRAY TraceId: 1-%08x-%024x\tSegmentId: %016x\tSampled: true\t\n", g.ts/1000, g.r.Uint64(), g.r.Uint64())
	}
	g.add("platform", b.String())
}

var words = strings.Fields(`order cart checkout payment inventory shipment customer invoice
	processed received validated enqueued cache miss hit retry upstream latency ms items total
	currency EUR USD sku warehouse region fulfilment handler request response status ok
	dynamodb query scan table partition key sqs message batch lambda downstream service`)

func (g *gen) sentence(n int) string {
	var b strings.Builder
	for b.Len() < n {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(words[g.r.IntN(len(words))])
	}
	return b.String()
}

// appLine is an ordinary application line of 80–400 bytes in the shapes the
// Node and Python runtimes produce, text or JSON.
func (g *gen) appLine(req string) string {
	target := 80 + g.r.IntN(321)
	level := []string{"INFO", "INFO", "INFO", "DEBUG", "WARN", "ERROR"}[g.r.IntN(6)]
	switch {
	case g.json:
		head := fmt.Sprintf(`{"timestamp":"%s","level":"%s","requestId":"%s","message":"`, g.iso(), level, req)
		tail := fmt.Sprintf(`","orderId":%d}`+"\n", g.r.IntN(1e7))
		return head + g.sentence(target-len(head)-len(tail)) + tail
	case g.r.IntN(2) == 0:
		head := fmt.Sprintf("%s\t%s\t%s\t", g.iso(), req, level)
		if g.r.IntN(8) == 0 { // multi-line console.log output arrives joined by \r
			return head + "EVENT\r{\r  \"orderId\": \"" + g.sentence(target/3) + "\"\r}\n"
		}
		return head + g.sentence(target-len(head)-1) + "\n"
	default:
		head := fmt.Sprintf("[%s]\t%s\t%s\t", level, g.iso(), req)
		return head + g.sentence(target-len(head)-1) + "\n"
	}
}

var users = []string{"alice@example.com", "bob", "carol.smith", "dave", "admin", "root", "svc-deploy", "eve\" from 10.9.9.9"}

func (g *gen) ip() string {
	if g.r.IntN(10) == 0 {
		return fmt.Sprintf("2001:db8::%x", g.r.IntN(1<<16))
	}
	return fmt.Sprintf("%d.%d.%d.%d", []int{203, 198, 192, 51}[g.r.IntN(4)], g.r.IntN(256), g.r.IntN(256), 1+g.r.IntN(254))
}

// authLine is an authentication failure or success in one of the shapes
// operators ship to CloudWatch: JSON app logs, OWASP vocabulary, sshd,
// API Gateway access logs (JSON and CLF) and generic text.
func (g *gen) authLine(req string) string {
	user, ip := users[g.r.IntN(len(users))], g.ip()
	quser := strings.ReplaceAll(user, `"`, `\"`)
	switch g.r.IntN(7) {
	case 0:
		return fmt.Sprintf(`{"timestamp":"%s","level":"WARN","requestId":"%s","event":"login_failed","user":"%s","ip":"%s","reason":"invalid_password"}`+"\n", g.iso(), req, quser, ip)
	case 1:
		return fmt.Sprintf(`{"timestamp":"%s","log_level":"INFO","msg":"login succeeded","username":"%s","sourceIp":"%s"}`+"\n", g.iso(), quser, ip)
	case 2:
		return fmt.Sprintf(`{"datetime":"%s","appid":"checkout","event":"authn_login_fail:%s","level":"WARN","description":"User %s login failed","source_ip":"%s"}`, g.iso(), quser, quser, ip)
	case 3:
		return fmt.Sprintf("Feb 25 14:34:10 ip-10-0-1-12 sshd[%d]: Failed password for invalid user %s from %s port %d ssh2", 1000+g.r.IntN(30000), strings.Fields(user)[0], ip, 1024+g.r.IntN(60000))
	case 4:
		return fmt.Sprintf(`{ "requestId":"%s", "ip": "%s", "caller":"-", "user":"-", "requestTime":"17/Jun/2024:17:23:55 +0000", "httpMethod":"POST", "resourcePath":"/login", "status":"401", "protocol":"HTTP/1.1", "responseLength":"26" }`, req, ip)
	case 5:
		return fmt.Sprintf(`%s - - [17/Jun/2024:17:23:55 +0000] "POST /api/login HTTP/1.1" 401 26 %s`, ip, req)
	default:
		return fmt.Sprintf("%s\t%s\tWARN\tlogin failed for %s from %s\n", g.iso(), req, strings.Fields(user)[0], ip)
	}
}
