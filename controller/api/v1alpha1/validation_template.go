package v1alpha1

import (
	"fmt"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// Policy is what a cluster lets a Function's pod (spec.serving.template and
// spec.serving.annotations) do. The controller makes the pod for whoever
// may create Functions, who may not be allowed to create pods themselves, so
// by default a template must meet the Pod Security Standards "baseline"
// profile, may not add capabilities, escalate privileges or run as root, and
// runs as the namespace's default ServiceAccount. A cluster admin opts in to
// more with the controller's flags. It is the controller's configuration,
// not an API type.
//
// +kubebuilder:object:generate=false
type Policy struct {
	// AllowPrivileged allows what the baseline profile forbids: host
	// namespaces, hostPath volumes, host ports, privileged containers,
	// privilege escalation, added capabilities, root, unmasked /proc,
	// unconfined seccomp/AppArmor, custom SELinux, unsafe sysctls
	// (--allow-privileged-templates).
	AllowPrivileged bool
	// AllowServiceAccounts allows a template to run as any ServiceAccount of
	// the Function's namespace (--allow-template-service-accounts).
	AllowServiceAccounts bool
}

const (
	privilegedFlag     = "--allow-privileged-templates"
	serviceAccountFlag = "--allow-template-service-accounts"
	appArmorAnnotation = "container.apparmor.security.beta.kubernetes.io/"
)

// baselineCapabilities are the capabilities the baseline profile lets a
// container add.
var baselineCapabilities = map[corev1.Capability]bool{"AUDIT_WRITE": true, "CHOWN": true, "DAC_OVERRIDE": true, "FOWNER": true,
	"FSETID": true, "KILL": true, "MKNOD": true, "NET_BIND_SERVICE": true, "SETFCAP": true, "SETGID": true, "SETPCAP": true,
	"SETUID": true, "SYS_CHROOT": true}

// safeSysctls are the namespaced sysctls the baseline profile allows.
var safeSysctls = map[string]bool{"kernel.shm_rmid_forced": true, "net.ipv4.ip_local_port_range": true,
	"net.ipv4.ip_unprivileged_port_start": true, "net.ipv4.tcp_syncookies": true, "net.ipv4.ping_group_range": true,
	"net.ipv4.ip_local_reserved_ports": true, "net.ipv4.tcp_keepalive_time": true, "net.ipv4.tcp_fin_timeout": true,
	"net.ipv4.tcp_keepalive_intvl": true, "net.ipv4.tcp_keepalive_probes": true}

// seLinuxTypes are the SELinux types the baseline profile allows.
var seLinuxTypes = map[string]bool{"": true, "container_t": true, "container_init_t": true, "container_kvm_t": true, "container_engine_t": true}

// templateChecker collects what a pod template does beyond p.
type templateChecker struct {
	p    Policy
	errs field.ErrorList
}

// forbid records the field at path as beyond the policy; flag is what allows it.
func (c *templateChecker) forbid(path *field.Path, what, flag string) {
	c.errs = append(c.errs, field.Forbidden(path, fmt.Sprintf("%s is not allowed in a Function's pod; a cluster admin allows it with the controller's %s", what, flag)))
}

func (c *templateChecker) privileged(path *field.Path, what string) {
	if !c.p.AllowPrivileged {
		c.forbid(path, what, privilegedFlag)
	}
}

// validateTemplate checks spec.serving's pod template and annotations
// against p, collecting every field at fault.
func validateTemplate(v *ServingImpl, p *field.Path, pol Policy) field.ErrorList {
	c := &templateChecker{p: pol}
	for _, k := range sortedKeys(v.Annotations) {
		if strings.HasPrefix(k, appArmorAnnotation) && v.Annotations[k] == "unconfined" {
			c.privileged(p.Child("annotations").Key(k), "an unconfined AppArmor profile")
		}
	}
	if v.Template != nil {
		c.pod(v.Template, p.Child("template"))
	}
	return c.errs
}

func (c *templateChecker) pod(s *corev1.PodSpec, p *field.Path) {
	for _, h := range []struct {
		set  bool
		name string
	}{{s.HostNetwork, "hostNetwork"}, {s.HostPID, "hostPID"}, {s.HostIPC, "hostIPC"}} {
		if h.set {
			c.privileged(p.Child(h.name), "sharing the node's "+strings.TrimPrefix(h.name, "host")+" namespace")
		}
	}
	for i, vol := range s.Volumes {
		if vol.HostPath != nil {
			c.privileged(p.Child("volumes").Index(i).Child("hostPath"), "a hostPath volume")
		}
	}
	for _, sa := range []struct{ name, value string }{{"serviceAccountName", s.ServiceAccountName}, {"serviceAccount", s.DeprecatedServiceAccount}} {
		if sa.value != "" && sa.value != "default" && !c.p.AllowServiceAccounts {
			c.forbid(p.Child(sa.name), "a ServiceAccount other than default", serviceAccountFlag)
		}
	}
	if sc := s.SecurityContext; sc != nil {
		sp := p.Child("securityContext")
		c.identity(sp, sc.RunAsUser, sc.SELinuxOptions, sc.SeccompProfile, sc.AppArmorProfile, sc.WindowsOptions)
		for i, sysctl := range sc.Sysctls {
			if !safeSysctls[sysctl.Name] {
				c.privileged(sp.Child("sysctls").Index(i).Child("name"), "sysctl "+sysctl.Name)
			}
		}
	}
	for _, cs := range []struct {
		name       string
		containers []corev1.Container
	}{{"initContainers", s.InitContainers}, {"containers", s.Containers}} {
		for i := range cs.containers {
			c.container(&cs.containers[i], p.Child(cs.name).Index(i))
		}
	}
	for i := range s.EphemeralContainers {
		ec := corev1.Container(s.EphemeralContainers[i].EphemeralContainerCommon)
		c.container(&ec, p.Child("ephemeralContainers").Index(i))
	}
}

func (c *templateChecker) container(ctr *corev1.Container, p *field.Path) {
	for i, port := range ctr.Ports {
		if port.HostPort != 0 {
			c.privileged(p.Child("ports").Index(i).Child("hostPort"), "a host port")
		}
	}
	sc := ctr.SecurityContext
	if sc == nil {
		return
	}
	sp := p.Child("securityContext")
	if sc.Privileged != nil && *sc.Privileged {
		c.privileged(sp.Child("privileged"), "a privileged container")
	}
	if sc.AllowPrivilegeEscalation != nil && *sc.AllowPrivilegeEscalation {
		c.privileged(sp.Child("allowPrivilegeEscalation"), "privilege escalation")
	}
	if caps := sc.Capabilities; caps != nil {
		var added []string
		for _, cp := range caps.Add {
			if !baselineCapabilities[corev1.Capability(strings.TrimPrefix(strings.ToUpper(string(cp)), "CAP_"))] {
				added = append(added, string(cp))
			}
		}
		if len(added) > 0 {
			sort.Strings(added)
			c.privileged(sp.Child("capabilities", "add"), "adding "+strings.Join(added, ", "))
		}
	}
	if sc.ProcMount != nil && *sc.ProcMount != corev1.DefaultProcMount {
		c.privileged(sp.Child("procMount"), "an unmasked /proc")
	}
	c.identity(sp, sc.RunAsUser, sc.SELinuxOptions, sc.SeccompProfile, sc.AppArmorProfile, sc.WindowsOptions)
}

// identity checks what pod and container security contexts share.
func (c *templateChecker) identity(p *field.Path, user *int64, se *corev1.SELinuxOptions, seccomp *corev1.SeccompProfile, apparmor *corev1.AppArmorProfile, win *corev1.WindowsSecurityContextOptions) {
	if user != nil && *user == 0 {
		c.privileged(p.Child("runAsUser"), "running as root (runAsUser: 0)")
	}
	if se != nil && (!seLinuxTypes[se.Type] || se.User != "" || se.Role != "") {
		c.privileged(p.Child("seLinuxOptions"), "a custom SELinux user, role or type")
	}
	if seccomp != nil && seccomp.Type == corev1.SeccompProfileTypeUnconfined {
		c.privileged(p.Child("seccompProfile", "type"), "an unconfined seccomp profile")
	}
	if apparmor != nil && apparmor.Type == corev1.AppArmorProfileTypeUnconfined {
		c.privileged(p.Child("appArmorProfile", "type"), "an unconfined AppArmor profile")
	}
	if win != nil && win.HostProcess != nil && *win.HostProcess {
		c.privileged(p.Child("windowsOptions", "hostProcess"), "a Windows host process")
	}
}
