package verify

import (
	"encoding/json"
	"fmt"
	"path"
	"slices"
	"strings"

	amconfig "github.com/prometheus/alertmanager/config"

	"github.com/lms/lms-ops/gen/internal/model"
	"github.com/lms/lms-ops/gen/internal/output"
)

// checkK8sAlertmanager: the configuration Secret holds a config
// Alertmanager 0.27.0's loader accepts; it is alertmanager.yml, with only
// the credential files moved to where the operator mounts the Secrets of
// spec.secrets; and every credential it reads is a key of a listed Secret.
func checkK8sAlertmanager(m *model.Model, files output.Files) model.Problems {
	set, _ := loadK8s(m, files)
	if set == nil {
		return nil // checkK8sObjects reports why
	}
	var ps model.Problems
	s := m.Stack
	k := s.Settings.Kubernetes
	p := s.Outputs.Kubernetes.Alertmanager.Path
	scope := "stack: " + path.Base(p)
	add := func(cuePath model.Path, format string, args ...any) {
		ps = append(ps, model.Problem{Pos: m.PosOf("", cuePath), Also: []string{p}, Scope: scope, Msg: fmt.Sprintf(format, args...)})
	}
	var spec alertmanagerSpec
	if err := json.Unmarshal(set.alertmanager.Spec, &spec); err != nil {
		add(model.PathK8sAlertmanagerObject, "spec does not read: %v", err)
		return ps
	}
	if spec.Version != s.Versions.Alertmanager {
		add(model.PathK8sAlertmanagerVersion, "version %q is not versions.alertmanager %q", spec.Version, s.Versions.Alertmanager)
	}
	if spec.AlertmanagerConfigSelector != nil || spec.AlertmanagerConfiguration != nil {
		add(model.PathK8sAlertmanagerSpec, "spec sets alertmanagerConfigSelector or alertmanagerConfiguration: the operator would merge AlertmanagerConfig objects, whose receivers and matchers it rewrites, into the verified configuration")
	}
	sec := set.configSecret
	if sec == nil || sec.Metadata.Name != spec.ConfigSecret || sec.Metadata.Namespace != set.alertmanager.Metadata.Namespace {
		add(model.PathK8sAlertmanagerCfgSecret, "configSecret %q: no such Secret in namespace %s in %s", spec.ConfigSecret, set.alertmanager.Metadata.Namespace, p)
		return ps
	}
	text, ok := sec.StringData[k.Operator.ConfigKey]
	if !ok {
		add(model.PathK8sAlertmanagerSecret, "Secret %s has no key %s, which the operator reads", sec.Metadata.Name, k.Operator.ConfigKey)
		return ps
	}
	if _, err := amconfig.Load(text); err != nil {
		add(model.PathK8sAlertmanagerConfig, "%s%v", rejects("Alertmanager", alertmanagerModule), err)
		return ps
	}
	// The same config: moving each credential file back to its compose
	// path gives alertmanager.yml, byte for byte.
	var pairs []string
	for secret, keys := range k.Credentials {
		for key := range keys {
			pairs = append(pairs, k.Operator.SecretsDir+"/"+secret+"/"+key, s.Settings.Alertmanager.SecretFiles[key])
		}
	}
	if back := strings.NewReplacer(pairs...).Replace(text); back != string(files[s.Outputs.Alertmanager.Path]) {
		add(model.PathK8sAlertmanagerConfig, "the configuration in Secret %s is not %s with the credential files moved: the two would route differently", sec.Metadata.Name, s.Outputs.Alertmanager.Path)
	}
	for _, f := range secretFiles(s.Outputs.Kubernetes.Alertmanager.Config) {
		rest, ok := strings.CutPrefix(f, k.Operator.SecretsDir+"/")
		secret, key, _ := strings.Cut(rest, "/")
		switch {
		case !ok || strings.Contains(key, "/") || key == "":
			add(model.PathK8sAlertmanagerConfig, "reads %s, not a Secret the operator mounts (%s/<secret>/<key>)", f, k.Operator.SecretsDir)
		case !slices.Contains(spec.Secrets, secret):
			add(model.PathK8sAlertmanagerSecrets, "the config reads %s, but Secret %s is not in spec.secrets %v", f, secret, spec.Secrets)
		case k.Credentials[secret] == nil:
			add(model.PathSettingsK8sCredentials, "the config reads %s, but Secret %s is not in settings.kubernetes.credentials", f, secret)
		default:
			if _, ok := k.Credentials[secret][key]; !ok {
				add(model.PathSettingsK8sCredentials, "the config reads %s, but Secret %s has no key %s", f, secret, key)
			}
		}
	}
	for i, name := range spec.Secrets {
		if k.Credentials[name] == nil {
			add(model.PathK8sAlertmanagerSecretAt.At(i), "spec.secrets lists %s, which ops/k8s/README.md does not say to create (settings.kubernetes.credentials)", name)
		}
	}
	return ps
}
