package cluster

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// run runs a host tool and returns its combined output.
func run(name string, args ...string) (string, error) {
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("cluster: %s %s: %w: %s", name, strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return string(out), nil
}

func linkExists(name string) bool {
	_, err := os.Stat(filepath.Join("/sys/class/net", name))
	return err == nil
}

// ensureNodeAddress puts NodeIP on NodeIface, a bridge with no ports: this
// kernel has no dummy driver (and no modules), and a port-less bridge is
// just as good a home for a local address.
func ensureNodeAddress() error {
	if !linkExists(NodeIface) {
		if _, err := run("ip", "link", "add", NodeIface, "type", "bridge"); err != nil {
			return err
		}
	}
	out, err := run("ip", "-o", "addr", "show", "dev", NodeIface)
	if err != nil {
		return err
	}
	if !strings.Contains(out, " "+NodeIP+"/32") {
		if _, err := run("ip", "addr", "add", NodeIP+"/32", "dev", NodeIface); err != nil {
			return err
		}
	}
	if _, err := run("ip", "link", "set", NodeIface, "up"); err != nil {
		return err
	}
	// Service addresses go to kiln0 until kube-proxy DNATs them: without
	// this route a ClusterIP without rules yet (the first moments after a
	// Service is made) leaves by the default route, and a proxy on the
	// network may answer it (seen: 404s for minutes on a reused keep-alive
	// connection). The route goes with the link at Down.
	_, err = run("ip", "route", "replace", serviceCIDR, "dev", NodeIface)
	return err
}

// removeLinks deletes the veths attached to the pod bridge, the bridge and
// kiln0.
func removeLinks() error {
	var errs []error
	if linkExists(bridgeIface) {
		ents, _ := os.ReadDir(filepath.Join("/sys/class/net", bridgeIface, "brif"))
		for _, e := range ents {
			if _, err := run("ip", "link", "del", e.Name()); err != nil && linkExists(e.Name()) {
				errs = append(errs, err)
			}
		}
	}
	for _, l := range []string{bridgeIface, NodeIface} {
		if linkExists(l) {
			if _, err := run("ip", "link", "del", l); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}
