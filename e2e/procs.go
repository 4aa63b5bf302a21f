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
	// done is closed when the process has exited, with err its status.
	done chan struct{}
	err  error
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
	p := &Proc{Name: name, Log: log, cmd: cmd, done: make(chan struct{})}
	go func() { p.err = cmd.Wait(); f.Close(); close(p.done) }()
	return p, nil
}

// Stop terminates the process group, then kills it after 5 seconds.
func (p *Proc) Stop() { p.StopWithin(5 * time.Second) }

// StopWithin terminates the process group, then kills it after grace, as
// a container runtime does with stop_grace_period.
func (p *Proc) StopWithin(grace time.Duration) {
	pgid := -p.cmd.Process.Pid
	syscall.Kill(pgid, syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(grace):
		syscall.Kill(pgid, syscall.SIGKILL)
		<-p.done
	}
}

// Kill kills the process group at once (SIGKILL: no clean shutdown) and
// waits for it.
func (p *Proc) Kill() {
	syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
	<-p.done
}

// Exited reports whether the process has already stopped, and why.
func (p *Proc) Exited() (bool, error) {
	select {
	case <-p.done:
		return true, p.err
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
