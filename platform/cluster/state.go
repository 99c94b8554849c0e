package cluster

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// state is <state>/state.json: what Up chose (ports, the registry) and what
// the host looked like before the first Up, which Down puts back.
type state struct {
	EtcdPort      int    `json:"etcdPort"`
	EtcdPeerPort  int    `json:"etcdPeerPort"`
	APIServerPort int    `json:"apiServerPort"`
	KubeletPort   int    `json:"kubeletPort"`
	ProxyHealth   int    `json:"proxyHealth"`
	ProxyMetric   int    `json:"proxyMetric"`
	Registry      string `json:"registry"`
	// NodeRegistryPort is the node registry's port on NodeIP (0: not
	// started; the addons start it).
	NodeRegistryPort int `json:"nodeRegistryPort,omitempty"`
	// IngressPort is Traefik's port on 127.0.0.1 (0: the traefik addon
	// was never installed on this node).
	IngressPort int `json:"ingressPort,omitempty"`
	// Before is the host as the first Up found it.
	Before *before `json:"before,omitempty"`
}

type before struct {
	Sysctls map[string]string `json:"sysctls"`
	// Absent are the paths outside the state dir the node may create that
	// did not exist.
	Absent []string `json:"absent"`
	// NftTables are the nftables tables ("ip filter") that existed.
	NftTables []string `json:"nftTables"`
	// RegistryStarted: Up started the registry server, so Down stops it.
	RegistryStarted bool `json:"registryStarted"`
}

func loadState(l Layout) (*state, error) {
	b, err := os.ReadFile(l.stateFile())
	if errors.Is(err, fs.ErrNotExist) {
		return &state{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("cluster: reading %s: %w", l.stateFile(), err)
	}
	var s state
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("cluster: %s is not valid JSON (remove it after `kiln cluster down`): %w", l.stateFile(), err)
	}
	return &s, nil
}

func saveState(l Layout, s *state) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	tmp := l.stateFile() + ".tmp"
	if err := os.WriteFile(tmp, append(b, '\n'), 0o600); err != nil {
		return fmt.Errorf("cluster: writing %s: %w", tmp, err)
	}
	return os.Rename(tmp, l.stateFile())
}
