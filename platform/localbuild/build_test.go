package localbuild

import (
	"errors"
	"strings"
	"testing"
)

func TestRefusePort(t *testing.T) {
	for _, tc := range []struct {
		addr  string
		ports []int
		want  string
	}{
		{"127.0.0.1:5000", []int{8080, 5000}, "--allow-host-port 5000: that is the embedded registry"},
		{"127.0.0.1:5000", []int{8080}, ""},
		{"127.0.0.1:5000", nil, ""},
		{"not an address", []int{5000}, ""},
	} {
		err := refusePort(tc.addr, tc.ports)
		var hp *HostPortError
		if tc.want == "" && err != nil || tc.want != "" && (!errors.As(err, &hp) || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("refusePort(%s, %v) = %v, want %q", tc.addr, tc.ports, err, tc.want)
		}
	}
}
