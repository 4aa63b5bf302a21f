package e2e

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// Proc is a server process started by the run, logging to a file.
type Proc struct {
	Name string
	Log  string
	cmd  *exec.Cmd
	done chan error
}

// Start runs bin with args in dir, its output in logDir/<name>.log, in a
// process group of its own so that stopping it stops its children too.
func Start(name, bin, dir, logDir string, env []string, args ...string) (*Proc, error) {
	log := filepath.Join(logDir, name+".log")
	f, err := os.Create(log)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = f, f
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		f.Close()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p := &Proc{Name: name, Log: log, cmd: cmd, done: make(chan error, 1)}
	go func() { p.done <- cmd.Wait(); f.Close() }()
	return p, nil
}

// Stop terminates the process group, then kills it after a grace period.
func (p *Proc) Stop() {
	pgid := -p.cmd.Process.Pid
	syscall.Kill(pgid, syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(5 * time.Second):
		syscall.Kill(pgid, syscall.SIGKILL)
		<-p.done
	}
}

// Exited reports whether the process has already stopped, and why.
func (p *Proc) Exited() (bool, error) {
	select {
	case err := <-p.done:
		p.done <- err
		return true, err
	default:
		return false, nil
	}
}

// FreePorts reserves n free loopback ports and releases them for the
// servers to bind (a tiny race, acceptable on a test machine).
func FreePorts(n int) ([]int, error) {
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	var ports []int
	for i := 0; i < n; i++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// ToolPath builds (or finds in the Go build cache) a tool pinned by the
// go.mod of dir and returns the path of its binary.
func ToolPath(ctx context.Context, dir, tool string) (string, error) {
	cmd := exec.CommandContext(ctx, "go", "tool", "-n", tool)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			return "", fmt.Errorf("build %s in %s: %v\n%s", tool, dir, err, ee.Stderr)
		}
		return "", fmt.Errorf("build %s in %s: %w", tool, dir, err)
	}
	return strings.TrimSpace(string(out)), nil
}
