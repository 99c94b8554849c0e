package v1alpha1

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

func podWith(mut func(s *corev1.PodSpec)) func(*Function) {
	return func(f *Function) {
		f.Spec.Serving.Template = &corev1.PodSpec{Containers: []corev1.Container{{Name: "function"}, {Name: "sidecar", Image: "registry.example.com/log:1"}}}
		mut(f.Spec.Serving.Template)
	}
}

func sidecarSC(mut func(sc *corev1.SecurityContext)) func(*Function) {
	return podWith(func(s *corev1.PodSpec) {
		s.Containers[1].SecurityContext = &corev1.SecurityContext{}
		mut(s.Containers[1].SecurityContext)
	})
}

func podSC(mut func(sc *corev1.PodSecurityContext)) func(*Function) {
	return podWith(func(s *corev1.PodSpec) {
		s.SecurityContext = &corev1.PodSecurityContext{}
		mut(s.SecurityContext)
	})
}

// TestTemplatePolicy: every field the baseline Pod Security Standard
// forbids (and a ServiceAccount, and root) is refused with its path and the
// flag that allows it, on every workload path; the opt-in allows it.
func TestTemplatePolicy(t *testing.T) {
	const priv, sa = "a cluster admin allows it with the controller's --allow-privileged-templates",
		"a cluster admin allows it with the controller's --allow-template-service-accounts"
	tmpl := "spec.serving.template."
	for _, tc := range []struct {
		name   string
		mutate func(*Function)
		want   []string // each in the error; the matching opt-in clears them
		optIn  Policy
	}{
		{name: "a plain template", mutate: podWith(func(s *corev1.PodSpec) {
			s.Containers[0].Resources.Limits = corev1.ResourceList{corev1.ResourceMemory: mustQty("128Mi")}
			s.Volumes = []corev1.Volume{{Name: "tmp", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}}}
			s.Containers[0].Ports = []corev1.ContainerPort{{ContainerPort: 8080}}
		})},
		{name: "what restricted asks for is fine", mutate: func(f *Function) {
			podSC(func(sc *corev1.PodSecurityContext) {
				sc.RunAsNonRoot, sc.RunAsUser = ptr(true), ptr(int64(1000))
				sc.SeccompProfile = &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault}
				sc.Sysctls = []corev1.Sysctl{{Name: "net.ipv4.ip_local_port_range", Value: "1024 65535"}}
				sc.SELinuxOptions = &corev1.SELinuxOptions{Type: "container_t", Level: "s0:c1,c2"}
			})(f)
			f.Spec.Serving.Template.Containers[1].SecurityContext = &corev1.SecurityContext{AllowPrivilegeEscalation: ptr(false), Privileged: ptr(false),
				Capabilities: &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}, Add: []corev1.Capability{"NET_BIND_SERVICE", "cap_chown"}}}
			f.Spec.Serving.Template.ServiceAccountName = "default"
		}},
		{name: "hostPath", mutate: podWith(func(s *corev1.PodSpec) {
			s.Volumes = []corev1.Volume{{Name: "ok", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}},
				{Name: "docker", VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/var/run/docker.sock"}}}}
		}), want: []string{tmpl + "volumes[1].hostPath: Forbidden: a hostPath volume is not allowed in a Function's pod; " + priv}, optIn: Policy{AllowPrivileged: true}},
		{name: "host namespaces", mutate: podWith(func(s *corev1.PodSpec) { s.HostNetwork, s.HostPID, s.HostIPC = true, true, true }),
			want: []string{tmpl + "hostNetwork: Forbidden: sharing the node's Network namespace", tmpl + "hostPID: Forbidden", tmpl + "hostIPC: Forbidden"}, optIn: Policy{AllowPrivileged: true}},
		{name: "host port", mutate: podWith(func(s *corev1.PodSpec) {
			s.Containers[1].Ports = []corev1.ContainerPort{{ContainerPort: 80, HostPort: 80}}
		}),
			want: []string{tmpl + "containers[1].ports[0].hostPort: Forbidden: a host port"}, optIn: Policy{AllowPrivileged: true}},
		{name: "privileged", mutate: sidecarSC(func(sc *corev1.SecurityContext) { sc.Privileged = ptr(true) }),
			want: []string{tmpl + "containers[1].securityContext.privileged: Forbidden: a privileged container is not allowed in a Function's pod; " + priv}, optIn: Policy{AllowPrivileged: true}},
		{name: "privilege escalation", mutate: sidecarSC(func(sc *corev1.SecurityContext) { sc.AllowPrivilegeEscalation = ptr(true) }),
			want: []string{tmpl + "containers[1].securityContext.allowPrivilegeEscalation: Forbidden: privilege escalation"}, optIn: Policy{AllowPrivileged: true}},
		{name: "capabilities beyond baseline", mutate: sidecarSC(func(sc *corev1.SecurityContext) {
			sc.Capabilities = &corev1.Capabilities{Add: []corev1.Capability{"NET_BIND_SERVICE", "SYS_ADMIN", "CAP_NET_ADMIN"}}
		}), want: []string{tmpl + "containers[1].securityContext.capabilities.add: Forbidden: adding CAP_NET_ADMIN, SYS_ADMIN is not allowed"}, optIn: Policy{AllowPrivileged: true}},
		{name: "unmasked proc", mutate: sidecarSC(func(sc *corev1.SecurityContext) { pm := corev1.UnmaskedProcMount; sc.ProcMount = &pm }),
			want: []string{tmpl + "containers[1].securityContext.procMount: Forbidden: an unmasked /proc"}, optIn: Policy{AllowPrivileged: true}},
		{name: "default proc mount is fine", mutate: sidecarSC(func(sc *corev1.SecurityContext) { pm := corev1.DefaultProcMount; sc.ProcMount = &pm })},
		{name: "root in a container", mutate: sidecarSC(func(sc *corev1.SecurityContext) { sc.RunAsUser = ptr(int64(0)) }),
			want: []string{tmpl + "containers[1].securityContext.runAsUser: Forbidden: running as root (runAsUser: 0)"}, optIn: Policy{AllowPrivileged: true}},
		{name: "root for the pod", mutate: podSC(func(sc *corev1.PodSecurityContext) { sc.RunAsUser = ptr(int64(0)) }),
			want: []string{tmpl + "securityContext.runAsUser: Forbidden: running as root"}, optIn: Policy{AllowPrivileged: true}},
		{name: "unconfined seccomp and AppArmor, pod and container", mutate: func(f *Function) {
			podSC(func(sc *corev1.PodSecurityContext) {
				sc.SeccompProfile = &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeUnconfined}
				sc.AppArmorProfile = &corev1.AppArmorProfile{Type: corev1.AppArmorProfileTypeUnconfined}
			})(f)
			f.Spec.Serving.Template.Containers[0].SecurityContext = &corev1.SecurityContext{SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeUnconfined},
				AppArmorProfile: &corev1.AppArmorProfile{Type: corev1.AppArmorProfileTypeUnconfined}}
		}, want: []string{tmpl + "securityContext.seccompProfile.type: Forbidden: an unconfined seccomp profile", tmpl + "securityContext.appArmorProfile.type: Forbidden",
			tmpl + "containers[0].securityContext.seccompProfile.type: Forbidden", tmpl + "containers[0].securityContext.appArmorProfile.type: Forbidden"}, optIn: Policy{AllowPrivileged: true}},
		{name: "unconfined AppArmor by annotation", mutate: func(f *Function) {
			f.Spec.Serving.Annotations = map[string]string{"container.apparmor.security.beta.kubernetes.io/function": "unconfined", "container.apparmor.security.beta.kubernetes.io/sidecar": "runtime/default"}
		}, want: []string{"spec.serving.annotations[container.apparmor.security.beta.kubernetes.io/function]: Forbidden: an unconfined AppArmor profile"}, optIn: Policy{AllowPrivileged: true}},
		{name: "custom SELinux", mutate: sidecarSC(func(sc *corev1.SecurityContext) { sc.SELinuxOptions = &corev1.SELinuxOptions{Type: "spc_t"} }),
			want: []string{tmpl + "containers[1].securityContext.seLinuxOptions: Forbidden: a custom SELinux user, role or type"}, optIn: Policy{AllowPrivileged: true}},
		{name: "SELinux user", mutate: podSC(func(sc *corev1.PodSecurityContext) { sc.SELinuxOptions = &corev1.SELinuxOptions{User: "system_u"} }),
			want: []string{tmpl + "securityContext.seLinuxOptions: Forbidden"}, optIn: Policy{AllowPrivileged: true}},
		{name: "SELinux role", mutate: podSC(func(sc *corev1.PodSecurityContext) { sc.SELinuxOptions = &corev1.SELinuxOptions{Role: "sysadm_r"} }),
			want: []string{tmpl + "securityContext.seLinuxOptions: Forbidden"}, optIn: Policy{AllowPrivileged: true}},
		{name: "unsafe sysctl", mutate: podSC(func(sc *corev1.PodSecurityContext) {
			sc.Sysctls = []corev1.Sysctl{{Name: "net.ipv4.tcp_syncookies", Value: "1"}, {Name: "kernel.msgmax", Value: "1"}}
		}), want: []string{tmpl + "securityContext.sysctls[1].name: Forbidden: sysctl kernel.msgmax"}, optIn: Policy{AllowPrivileged: true}},
		{name: "Windows host process", mutate: sidecarSC(func(sc *corev1.SecurityContext) {
			sc.WindowsOptions = &corev1.WindowsSecurityContextOptions{HostProcess: ptr(true)}
		}), want: []string{tmpl + "containers[1].securityContext.windowsOptions.hostProcess: Forbidden: a Windows host process"}, optIn: Policy{AllowPrivileged: true}},
		{name: "Windows host process on the pod", mutate: podSC(func(sc *corev1.PodSecurityContext) {
			sc.WindowsOptions = &corev1.WindowsSecurityContextOptions{HostProcess: ptr(true)}
		}), want: []string{tmpl + "securityContext.windowsOptions.hostProcess: Forbidden"}, optIn: Policy{AllowPrivileged: true}},
		{name: "init containers are checked too", mutate: podWith(func(s *corev1.PodSpec) {
			s.InitContainers = []corev1.Container{{Name: "setup", SecurityContext: &corev1.SecurityContext{Privileged: ptr(true)}}}
		}), want: []string{tmpl + "initContainers[0].securityContext.privileged: Forbidden"}, optIn: Policy{AllowPrivileged: true}},
		{name: "ephemeral containers are checked too", mutate: podWith(func(s *corev1.PodSpec) {
			s.EphemeralContainers = []corev1.EphemeralContainer{{EphemeralContainerCommon: corev1.EphemeralContainerCommon{Name: "debug",
				SecurityContext: &corev1.SecurityContext{Capabilities: &corev1.Capabilities{Add: []corev1.Capability{"SYS_PTRACE"}}}}}}
		}), want: []string{tmpl + "ephemeralContainers[0].securityContext.capabilities.add: Forbidden: adding SYS_PTRACE"}, optIn: Policy{AllowPrivileged: true}},
		{name: "a ServiceAccount", mutate: podWith(func(s *corev1.PodSpec) { s.ServiceAccountName = "deployer" }),
			want: []string{tmpl + "serviceAccountName: Forbidden: a ServiceAccount other than default is not allowed in a Function's pod; " + sa}, optIn: Policy{AllowServiceAccounts: true}},
		{name: "a ServiceAccount by the deprecated field", mutate: podWith(func(s *corev1.PodSpec) { s.DeprecatedServiceAccount = "deployer" }),
			want: []string{tmpl + "serviceAccount: Forbidden"}, optIn: Policy{AllowServiceAccounts: true}},
		{name: "every problem at once, each with its path", mutate: podWith(func(s *corev1.PodSpec) {
			s.HostNetwork, s.ServiceAccountName = true, "deployer"
			s.Containers[0].SecurityContext = &corev1.SecurityContext{Privileged: ptr(true)}
			s.Volumes = []corev1.Volume{{Name: "root", VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/"}}}}
		}), want: []string{tmpl + "hostNetwork", tmpl + "serviceAccountName", tmpl + "containers[0].securityContext.privileged", tmpl + "volumes[0].hostPath"},
			optIn: Policy{AllowPrivileged: true, AllowServiceAccounts: true}},
	} {
		for _, workload := range []string{"knative", WorkloadDeployment, WorkloadStatefulSet, WorkloadJob} {
			t.Run(tc.name+"/"+workload, func(t *testing.T) {
				f := valid()
				if workload != "knative" {
					f.Spec.Serving.Triggers = &Triggers{Dapr: []*DaprTrigger{{Name: "in", Type: "bindings.cron"}}}
					f.Spec.Serving.WorkloadType = workload
					if workload == WorkloadJob {
						f.Spec.Serving.ScaleOptions = &ScaleOptions{Keda: &KedaScaleOptions{ScaledJob: &KedaScaledJob{}}}
					}
				}
				f.Default()
				tc.mutate(f)
				got := f.Validate().ToAggregate()
				if len(tc.want) == 0 {
					if got != nil {
						t.Fatalf("unexpected: %v", got)
					}
					return
				}
				if got == nil {
					t.Fatalf("valid, want %v", tc.want)
				}
				for _, w := range tc.want {
					if !strings.Contains(got.Error(), w) {
						t.Errorf("missing %q in\n%v", w, got)
					}
				}
				if n := strings.Count(got.Error(), "Forbidden"); n != len(tc.want) {
					t.Errorf("%d errors, want %d: %v", n, len(tc.want), got)
				}
				if errs := f.ValidateWith(tc.optIn); len(errs) > 0 {
					t.Errorf("with %+v: %v", tc.optIn, errs.ToAggregate())
				}
				other := Policy{AllowPrivileged: !tc.optIn.AllowPrivileged, AllowServiceAccounts: !tc.optIn.AllowServiceAccounts}
				if tc.optIn != (Policy{AllowPrivileged: true, AllowServiceAccounts: true}) && len(f.ValidateWith(other)) == 0 {
					t.Errorf("the other opt-in (%+v) must not allow it", other)
				}
			})
		}
	}
}

func mustQty(s string) resource.Quantity { return resource.MustParse(s) }
