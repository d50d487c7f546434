package spec

import "strings"

// CheckProcess refuses what execve(2) cannot pass to a program: a NUL byte
// ends a C string, so an argument or variable holding one would reach the
// program cut short, and the kernel refuses it. what names the list
// ("cmd", "entrypoint", "exec command").
func CheckProcess(what string, args, env []string) error {
	for i, a := range args {
		if strings.IndexByte(a, 0) >= 0 {
			return invalidf("invalid %s: argument %d (%q) contains a NUL byte, which no program can receive", what, i, a)
		}
	}
	return checkEnvNUL(env)
}

func checkEnvNUL(env []string) error {
	for i, kv := range env {
		if strings.IndexByte(kv, 0) >= 0 {
			return invalidf("invalid environment variable %d (%q): it contains a NUL byte, which no program can receive", i, kv)
		}
	}
	return nil
}

// checkArgv applies CheckProcess to the entrypoint, the cmd and the
// environment.
func (c *Container) checkArgv() error {
	if err := CheckProcess("entrypoint", c.Entrypoint, nil); err != nil {
		return err
	}
	return CheckProcess("cmd", c.Cmd, c.Env)
}
