package sandbox

import (
	"runtime"
	"syscall"
)

// Kiln's seccomp profile: an allow-list. Anything not named here fails with
// ENOSYS (so programs fall back, as they do on an older kernel: glibc's
// clone3 → clone); the calls a container must never make fail with EPERM.

type ociSeccomp struct {
	DefaultAction   string       `json:"defaultAction"`
	DefaultErrnoRet *uint        `json:"defaultErrnoRet,omitempty"`
	Architectures   []string     `json:"architectures"`
	Syscalls        []ociSyscall `json:"syscalls"`
}

type ociSyscall struct {
	Names    []string        `json:"names"`
	Action   string          `json:"action"`
	ErrnoRet *uint           `json:"errnoRet,omitempty"`
	Args     []ociSeccompArg `json:"args,omitempty"`
}

type ociSeccompArg struct {
	Index    uint   `json:"index"`
	Value    uint64 `json:"value"`
	ValueTwo uint64 `json:"valueTwo"`
	Op       string `json:"op"`
}

// allowedSyscalls is what builds (Go, Node.js, Python, Java toolchains,
// npm, pip, Maven) and functions use: files, memory, processes without
// namespaces, signals, sockets, time, SysV and POSIX IPC. Calls that need a
// capability the sandbox never has (chown to a foreign id, setuid to
// another user) may stay: the kernel refuses them anyway.
var allowedSyscalls = []string{
	// files and directories
	"access", "chdir", "chmod", "chown", "close", "close_range", "copy_file_range", "creat", "dup", "dup2", "dup3",
	"faccessat", "faccessat2", "fadvise64", "fallocate", "fchdir", "fchmod", "fchmodat", "fchmodat2", "fchown",
	"fchownat", "fcntl", "fdatasync", "fgetxattr", "flistxattr", "flock", "fremovexattr", "fsetxattr", "fstat",
	"fstatfs", "fsync", "ftruncate", "futimesat", "getcwd", "getdents", "getdents64", "getxattr", "inotify_add_watch",
	"inotify_init", "inotify_init1", "inotify_rm_watch", "lchown", "lgetxattr", "link", "linkat", "listxattr",
	"llistxattr", "lremovexattr", "lseek", "lsetxattr", "lstat", "mkdir", "mkdirat", "mknod", "mknodat",
	"newfstatat", "open", "openat", "openat2", "pipe", "pipe2", "pread64", "preadv", "preadv2", "pwrite64",
	"pwritev", "pwritev2", "read", "readahead", "readlink", "readlinkat", "readv", "removexattr", "rename",
	"renameat", "renameat2", "rmdir", "sendfile", "setxattr", "splice", "stat", "statfs", "statx", "symlink",
	"symlinkat", "sync", "sync_file_range", "syncfs", "tee", "truncate", "umask", "unlink", "unlinkat", "utime",
	"utimensat", "utimes", "vmsplice", "write", "writev",
	// asynchronous I/O and waiting
	"epoll_create", "epoll_create1", "epoll_ctl", "epoll_pwait", "epoll_pwait2", "epoll_wait", "eventfd",
	"eventfd2", "io_cancel", "io_destroy", "io_getevents", "io_pgetevents", "io_setup", "io_submit", "ioctl",
	"poll", "ppoll", "pselect6", "select", "signalfd", "signalfd4", "timerfd_create", "timerfd_gettime",
	"timerfd_settime",
	// memory
	"brk", "madvise", "membarrier", "memfd_create", "mincore", "mlock", "mlock2", "mlockall", "mmap", "mprotect",
	"mremap", "msync", "munlock", "munlockall", "munmap", "pkey_alloc", "pkey_free", "pkey_mprotect",
	"remap_file_pages", "get_mempolicy", "set_mempolicy", "mbind",
	// processes, threads and signals (clone and unshare: below, without namespaces)
	"arch_prctl", "capget", "capset", "execve", "execveat", "exit", "exit_group", "fork", "futex", "futex_waitv",
	"get_robust_list", "get_thread_area", "getcpu", "getegid", "geteuid", "getgid", "getgroups", "getitimer",
	"getpgid", "getpgrp", "getpid", "getppid", "getpriority", "getresgid", "getresuid", "getrlimit", "getrusage",
	"getsid", "gettid", "getuid", "ioprio_get", "ioprio_set", "kill", "pause", "pidfd_open", "pidfd_send_signal",
	"prctl", "prlimit64", "restart_syscall", "rseq", "rt_sigaction", "rt_sigpending", "rt_sigprocmask",
	"rt_sigqueueinfo", "rt_sigreturn", "rt_sigsuspend", "rt_sigtimedwait", "rt_tgsigqueueinfo",
	"sched_get_priority_max", "sched_get_priority_min", "sched_getaffinity", "sched_getattr", "sched_getparam",
	"sched_getscheduler", "sched_rr_get_interval", "sched_setaffinity", "sched_setattr", "sched_setparam",
	"sched_setscheduler", "sched_yield", "seccomp", "set_robust_list", "set_thread_area", "set_tid_address",
	"setfsgid", "setfsuid", "setgid", "setgroups", "setitimer", "setpgid", "setpriority", "setregid", "setresgid",
	"setresuid", "setreuid", "setrlimit", "setsid", "setuid", "sigaltstack", "tgkill", "tkill", "vfork", "wait4",
	"waitid", "landlock_add_rule", "landlock_create_ruleset", "landlock_restrict_self",
	// time
	"adjtimex", "alarm", "clock_getres", "clock_gettime", "clock_nanosleep", "gettimeofday", "nanosleep", "time",
	"timer_create", "timer_delete", "timer_getoverrun", "timer_gettime", "timer_settime", "times",
	// network
	"accept", "accept4", "bind", "connect", "getpeername", "getsockname", "getsockopt", "listen", "recvfrom",
	"recvmmsg", "recvmsg", "sendmmsg", "sendmsg", "sendto", "setsockopt", "shutdown", "socket", "socketpair",
	// IPC
	"mq_getsetattr", "mq_notify", "mq_open", "mq_timedreceive", "mq_timedsend", "mq_unlink", "msgctl", "msgget",
	"msgrcv", "msgsnd", "semctl", "semget", "semop", "semtimedop", "shmat", "shmctl", "shmdt", "shmget",
	// system information
	"getrandom", "sysinfo", "uname",
	// newer calls libcs and runtimes start to use (names this libseccomp
	// does not know are skipped by the runtime)
	"futex_requeue", "futex_wait", "futex_wake", "getxattrat", "listxattrat", "map_shadow_stack", "mseal",
	"removexattrat", "set_mempolicy_home_node", "setxattrat",
}

// deniedSyscalls fail with EPERM: they change the kernel or the machine,
// reach other processes' memory, create namespaces or mounts, or are large
// attack surfaces a function or build never needs (keyrings, BPF, perf,
// userfaultfd, io_uring, handle-based opens).
var deniedSyscalls = []string{
	"acct", "add_key", "bpf", "chroot", "clock_adjtime", "clock_settime", "delete_module", "fanotify_init",
	"finit_module", "fsconfig", "fsmount", "fsopen", "fspick", "init_module", "io_uring_enter", "io_uring_register",
	"io_uring_setup", "ioperm", "iopl", "kcmp", "kexec_file_load", "kexec_load", "keyctl", "lookup_dcookie",
	"mount", "mount_setattr", "move_mount", "name_to_handle_at", "nfsservctl", "open_by_handle_at", "open_tree",
	"perf_event_open", "pidfd_getfd", "pivot_root", "process_madvise", "process_vm_readv", "process_vm_writev",
	"ptrace", "quotactl", "quotactl_fd", "reboot", "request_key", "setdomainname", "sethostname", "setns",
	"settimeofday", "swapoff", "swapon", "syslog", "umount2", "uselib", "userfaultfd", "ustat", "vhangup",
	"_sysctl", "sysfs",
}

// seccompArch is the native architecture: calls through another ABI (32-bit
// x86 on amd64) fail with the default action.
func seccompArch() string {
	if runtime.GOARCH == "arm64" {
		return "SCMP_ARCH_AARCH64"
	}
	return "SCMP_ARCH_X86_64"
}

// namespaceFlags are the CLONE_NEW* bits (CLONE_NEWTIME only for unshare:
// in clone's first argument that bit is part of the exit signal).
const (
	cloneNamespaceFlags   = syscall.CLONE_NEWNS | syscall.CLONE_NEWCGROUP | syscall.CLONE_NEWUTS | syscall.CLONE_NEWIPC | syscall.CLONE_NEWUSER | syscall.CLONE_NEWPID | syscall.CLONE_NEWNET
	cloneNewTime          = 0x80
	unshareNamespaceFlags = cloneNamespaceFlags | cloneNewTime
)

// personalities a program may switch to: the default, the 32-bit address
// limit, UNAME26 and querying (0xffffffff).
var allowedPersonalities = []uint64{0x0, 0x8, 0x20000, 0x20008, 0xffffffff}

func defaultSeccomp() *ociSeccomp {
	enosys, eperm := uint(syscall.ENOSYS), uint(syscall.EPERM)
	p := &ociSeccomp{
		DefaultAction:   "SCMP_ACT_ERRNO",
		DefaultErrnoRet: &enosys,
		Architectures:   []string{seccompArch()},
		Syscalls: []ociSyscall{
			{Names: allowedSyscalls, Action: "SCMP_ACT_ALLOW"},
			{Names: deniedSyscalls, Action: "SCMP_ACT_ERRNO", ErrnoRet: &eperm},
			// clone3 passes its flags in memory seccomp cannot read: ENOSYS
			// makes libc fall back to clone, whose flags are checked.
			{Names: []string{"clone3"}, Action: "SCMP_ACT_ERRNO", ErrnoRet: &enosys},
		},
	}
	for _, c := range []struct {
		name  string
		flags uint64
	}{{"clone", cloneNamespaceFlags}, {"unshare", unshareNamespaceFlags}} {
		p.Syscalls = append(p.Syscalls, ociSyscall{Names: []string{c.name}, Action: "SCMP_ACT_ALLOW",
			Args: []ociSeccompArg{{Index: 0, Value: c.flags, ValueTwo: 0, Op: "SCMP_CMP_MASKED_EQ"}}})
		for bit := uint64(1); bit != 0 && bit <= c.flags; bit <<= 1 {
			if c.flags&bit != 0 {
				p.Syscalls = append(p.Syscalls, ociSyscall{Names: []string{c.name}, Action: "SCMP_ACT_ERRNO", ErrnoRet: &eperm,
					Args: []ociSeccompArg{{Index: 0, Value: bit, ValueTwo: bit, Op: "SCMP_CMP_MASKED_EQ"}}})
			}
		}
	}
	for _, v := range allowedPersonalities {
		p.Syscalls = append(p.Syscalls, ociSyscall{Names: []string{"personality"}, Action: "SCMP_ACT_ALLOW",
			Args: []ociSeccompArg{{Index: 0, Value: v, Op: "SCMP_CMP_EQ"}}})
	}
	return p
}
