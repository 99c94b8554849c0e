package cluster

import (
	"encoding/json"
	"fmt"
)

// Shipwright's git source step (github.com/shipwright-io/build/cmd/git)
// clones a Build's Git source by exec'ing git: ko builds it on Kiln's git
// service image (addons.go: the shipwright addon's bases), and the
// controller runs it with gitStepTemplate (its GIT_CONTAINER_TEMPLATE; the
// image stays GIT_CONTAINER_IMAGE, which ko resolved):
//
//   - --skip-validation: the step otherwise refuses to start unless ssh and
//     git-lfs are on its PATH. The image has neither: only http(s):// and
//     git:// URLs clone (no SSH URLs, no Git LFS objects).
//   - HOME=/tmp: Shipwright's default HOME is /shared-home, a directory of
//     its own base images; /tmp is writable in every Kiln image.
//   - the security context Shipwright's default template has: uid and gid
//     1000 (the image's cnb user), no privilege escalation, no capabilities.

// shipwrightGitImport is the git step's import path.
const shipwrightGitImport = "github.com/shipwright-io/build/cmd/git"

// gitStepTemplate is the GIT_CONTAINER_TEMPLATE Kiln gives the controller.
var gitStepTemplate = mustJSON(map[string]any{
	"command": []string{"/ko-app/git", "--skip-validation"},
	"env": []map[string]string{
		{"name": "HOME", "value": "/tmp"},
		{"name": "GIT_SHOW_LISTING", "value": "false"},
	},
	"securityContext": map[string]any{
		"allowPrivilegeEscalation": false,
		"capabilities":             map[string]any{"drop": []string{"ALL"}},
		"runAsUser":                1000,
		"runAsGroup":               1000,
	},
})

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// withGitStepTemplate sets GIT_CONTAINER_TEMPLATE on the Shipwright
// controller's container in the resolved shipwright manifests.
func withGitStepTemplate(stream []byte) ([]byte, error) {
	const source = "shipwright addon: the resolved deploy/ manifests"
	return editDoc(stream, source, func(m map[string]any) bool {
		return m["kind"] == "Deployment" && nested(m, "metadata", "name") == "shipwright-build-controller"
	}, func(d map[string]any) error {
		spec, _ := d["spec"].(map[string]any)
		tmpl, _ := spec["template"].(map[string]any)
		pod, _ := tmpl["spec"].(map[string]any)
		cs, _ := pod["containers"].([]any)
		for _, c := range cs {
			m, ok := c.(map[string]any)
			if !ok || m["name"] != "shipwright-build" {
				continue
			}
			env, _ := m["env"].([]any)
			kept := env[:0:0]
			for _, e := range env {
				if em, ok := e.(map[string]any); ok && em["name"] == "GIT_CONTAINER_TEMPLATE" {
					continue
				}
				kept = append(kept, e)
			}
			m["env"] = append(kept, map[string]any{"name": "GIT_CONTAINER_TEMPLATE", "value": gitStepTemplate})
			return nil
		}
		return fmt.Errorf("cluster: %s: Deployment shipwright-build-controller has no container named shipwright-build", source)
	}, "Deployment shipwright-build-controller")
}
