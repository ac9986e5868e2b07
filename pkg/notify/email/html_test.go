package email

import (
	"html/template"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// escapeByTemplate is what the body's former html/template produced for a
// value in HTML text.
func escapeByTemplate(t testing.TB, s string) string {
	var b strings.Builder
	require.NoError(t, template.Must(template.New("").Parse(`<p>{{.}}</p>`)).Execute(&b, s))
	return b.String()
}

// TestEscapeMatchesTemplate pins the hand-written escaper to html/template's
// on the values attackers put in logs: markup, quotes breaking out of
// attributes, entities, NUL, UTF-7 '+', invalid UTF-8 and bidi controls.
func TestEscapeMatchesTemplate(t *testing.T) {
	for _, s := range []string{
		"", "plain", `<script>alert(1)</script>`, `" onmouseover="x`, `' autofocus '`, "&amp;lt;",
		"a\x00b", "+ADw-script+AD4-", "bad \xff\xfe utf8", "\u202eevil", "<img src=x onerror=y>", "]]></title><b>",
	} {
		var b strings.Builder
		b.WriteString("<p>")
		escape(&b, s)
		b.WriteString("</p>")
		require.Equal(t, escapeByTemplate(t, s), b.String(), "%q", s)
	}
}

func FuzzEscapeMatchesTemplate(f *testing.F) {
	f.Add(`<a href="x">'&+` + "\x00")
	f.Fuzz(func(t *testing.T, s string) {
		var b strings.Builder
		b.WriteString("<p>")
		escape(&b, s)
		b.WriteString("</p>")
		require.Equal(t, escapeByTemplate(t, s), b.String())
	})
}
