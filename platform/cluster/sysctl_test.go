package cluster

import (
	"testing"
)

func TestRestoreSysctlsSkipsUnrecorded(t *testing.T) {
	// Nothing recorded: nothing written (would fail without root otherwise).
	if err := restoreSysctls(map[string]string{}, changedSysctls); err != nil {
		t.Fatal(err)
	}
}
