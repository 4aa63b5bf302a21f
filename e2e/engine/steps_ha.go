package engine

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/lms/lms-ops/e2e"
)

// haPhase runs settings.ha on the engine: every Prometheus replica and
// every Alertmanager of the cluster as compose services. A fault fires in
// both Prometheus replicas and is notified once per receiver. Then one
// Alertmanager is cut off the network and another killed: the next alert
// is still notified once, a silence made on the survivor reaches the cut
// one when it is reconnected.
func (r *run) haPhase(ctx context.Context) error {
	for _, files := range [][]string{r.prodFiles, r.obsFiles} {
		if _, err := r.compose(ctx, files, "down", "-v", "-t", "5"); err != nil {
			return err
		}
	}
	r.ha = true
	if err := r.renderModel(nil); err != nil {
		return err
	}
	if err := r.writeOverride(); err != nil {
		return err
	}
	if err := r.upObs(ctx); err != nil {
		return err
	}
	ams := r.model.Stack.Settings.Prometheus.Alertmanagers
	r.logf("HA: %d Prometheus and %d Alertmanager containers healthy", r.model.Stack.Settings.HA.PrometheusReplicas, len(ams))
	envs := envNames(r.committed)
	// Each environment's fault stays on until the phase ends. Once one
	// Prometheus replica has resolved an alert and the other not yet, each
	// sends its own view and the younger wins, so the alert flaps at the
	// Alertmanager; with the overlay's 1 s group_interval that flap is
	// notified as firing again. Kept firing, a second notification of the
	// first alert can only be a survivor that forgot what was sent.
	for _, env := range envs {
		defer r.control(ctx, apiService(env), "PUT", "/fault", string(e2e.Healthy))
	}
	if err := r.onceEach(ctx, envs[0]); err != nil {
		return err
	}
	cut, killed, survivor := amService(ams[0]), amService(ams[1]), 2
	states, err := r.states(ctx, r.obsFiles)
	if err != nil {
		return err
	}
	network := r.model.Stack.Settings.Monitoring.Network
	if _, err := docker(ctx, "network", "disconnect", network, states[cut].ID); err != nil {
		return err
	}
	if _, err := r.compose(ctx, r.obsFiles, "kill", "-s", "SIGKILL", killed); err != nil {
		return err
	}
	r.logf("HA: %s cut off the network %s, %s killed", cut, network, killed)
	if len(envs) > 1 {
		// Counted from the start of the phase: the first environment's
		// alert, still firing, must not be notified again by the survivor.
		if err := r.onceEach(ctx, envs[1]); err != nil {
			return err
		}
	}
	id, err := r.silence(survivor, "EngineSilencedWhileCut")
	if err != nil {
		return err
	}
	// The cut one must not have it yet, or the cut proves nothing.
	time.Sleep(settle)
	if has, _ := r.hasSilence(ctx, states[cut].ID, id); has {
		return fmt.Errorf("%s got silence %s while cut off the network: the cut did not isolate it", cut, id)
	}
	if _, err := docker(ctx, "network", "connect", network, states[cut].ID); err != nil {
		return err
	}
	start := time.Now()
	err = waitFor(ctx, 3*time.Minute, func() (bool, error) {
		has, err := r.hasSilence(ctx, states[cut].ID, id)
		return has, fmt.Errorf("%s does not have silence %s: %v", cut, id, err)
	})
	if err != nil {
		r.fail("HA: %v", err)
		return nil
	}
	r.logf("HA: %s did not have the silence while cut; reconnected, it has it after %s", cut, time.Since(start).Round(100*time.Millisecond))
	return nil
}

// hasSilence asks an Alertmanager from inside its container (a container
// cut off its network has no published port) whether silence id is active.
func (r *run) hasSilence(ctx context.Context, container, id string) (bool, error) {
	out, err := docker(ctx, "exec", container, "wget", "-q", "-O", "-", "http://localhost:9093/api/v2/silence/"+id)
	return err == nil && strings.Contains(out, `"active"`), err
}

func amService(hostPort string) string {
	h, _, _ := strings.Cut(hostPort, ":")
	return h
}

// peerTimeout is Alertmanager's --cluster.peer-timeout, which the compose
// file leaves at its default: the cluster member at position n waits n
// times this long before it notifies what no other member has.
const peerTimeout = 15 * time.Second

// onceEach: env's API serves 5xx (the caller heals it); both Prometheus
// replicas fire, and each receiver has got the alert exactly once since
// the sink started, waiting long enough for the last cluster member to
// send a duplicate if it would.
func (r *run) onceEach(ctx context.Context, env string) error {
	alert := e2e.AlertOf(e2e.Errors)
	label := r.committed.Stack.Envs[env].Labels["environment"]
	if err := r.control(ctx, apiService(env), "PUT", "/fault", string(e2e.Errors)); err != nil {
		return err
	}
	for replica := range r.model.Stack.Settings.HA.PrometheusReplicas {
		if err := waitFor(ctx, 2*time.Minute, func() (bool, error) {
			alerts, err := r.promAlerts(replica)
			return alerts[alert+"/"+label] == "firing", fmt.Errorf("prometheus replica %d: %s/%s %q (%v)", replica, alert, label, alerts[alert+"/"+label], err)
		}); err != nil {
			return err
		}
	}
	members := len(r.model.Stack.Settings.Prometheus.Alertmanagers)
	counts, err := r.waitNotifiedSettle(ctx, alert, nil, time.Minute, time.Duration(members-1)*peerTimeout+settle)
	if err != nil {
		return err
	}
	for sink, n := range counts {
		if n != 1 {
			r.fail("HA: %s/%s reached %s %d times, want once", alert, label, sink, n)
		}
	}
	r.logf("HA: %s/%s firing in every replica, delivered once each: %v", alert, label, counts)
	return nil
}
