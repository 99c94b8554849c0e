package sbom

import (
	"encoding/json"
	"strings"
	"testing"
)

// summary renders a document's components as "name@version[#ALG:hex]" in
// document order.
func summary(t *testing.T, doc []byte) string {
	t.Helper()
	var d document
	if err := json.Unmarshal(doc, &d); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, c := range d.Components {
		s := c.Name + "@" + c.Version
		for _, h := range c.Hashes {
			s += "#" + h.Alg + ":" + h.Content
		}
		out = append(out, s)
	}
	return strings.Join(out, " ")
}
