package model

import "encoding/json"

// KubernetesSettings are the knobs of the Kubernetes output (schema:
// settings.kubernetes).
type KubernetesSettings struct {
	Namespace  string            `json:"namespace"`
	Name       string            `json:"name"`
	Labels     map[string]string `json:"labels"`
	Prometheus struct {
		Replicas       int    `json:"replicas"`
		Storage        string `json:"storage"`
		ServiceAccount string `json:"service_account"`
	} `json:"prometheus"`
	Alertmanager struct {
		Replicas int    `json:"replicas"`
		Storage  string `json:"storage"`
	} `json:"alertmanager"`
	Targets map[string][]string `json:"targets"`
	// Services are the Services the targets need that ops/k8s/ does not
	// create, with the job that scrapes each.
	Services        map[string]KubernetesService `json:"services"`
	APITargets      map[string][]string          `json:"api_targets"`
	DashboardLabels map[string]string            `json:"dashboard_labels"`
	// DatasourceLabels mark the datasource ConfigMap for Grafana's sidecar.
	DatasourceLabels map[string]string `json:"datasource_labels"`
	PrometheusURL    string            `json:"prometheus_url"`
	// RBAC is what the Prometheus's service account may do (the Role's
	// rules, rendered as they are).
	RBAC struct {
		Rules json.RawMessage `json:"rules"`
	} `json:"rbac"`
	// Discovery is what each role of Prometheus's Kubernetes service
	// discovery reads: the verbs, and by role, API group → resources.
	Discovery struct {
		Verbs []string                       `json:"verbs"`
		Roles map[string]map[string][]string `json:"roles"`
	} `json:"discovery"`
	// Credentials are the Secrets to create first: name → key → content.
	Credentials map[string]map[string]string `json:"credentials"`
	Operator    struct {
		Version             string `json:"version"`
		SecretsDir          string `json:"secrets_dir"`
		ConfigKey           string `json:"config_key"`
		AlertmanagerService string `json:"alertmanager_service"`
		WebPort             string `json:"web_port"`
	} `json:"operator"`
}

// KubernetesOutputs are the files under ops/k8s/. The objects are kept as
// the JSON CUE evaluated (field order included): they are written as
// they are, and the checks read them back from the rendered files.
type KubernetesOutputs struct {
	Readme       string    `json:"readme"`
	Prometheus   K8sObject `json:"prometheus"`
	Alertmanager struct {
		Path         string             `json:"path"`
		Object       json.RawMessage    `json:"object"`
		Config       AlertmanagerConfig `json:"config"`
		ConfigSecret json.RawMessage    `json:"configSecret"`
	} `json:"alertmanager"`
	// Rules are the PrometheusRules, one per environment and one for the
	// stack's group, without their groups: render adds alerts.yml's groups
	// of each one's Env.
	Rules struct {
		Path    string `json:"path"`
		Objects []struct {
			Env    string          `json:"env"`
			Object json.RawMessage `json:"object"`
		} `json:"objects"`
	} `json:"rules"`
	Scrape K8sObjects `json:"scrape"`
	// RBAC is the Prometheus pods' identity and what it may read.
	RBAC struct {
		Path           string          `json:"path"`
		ServiceAccount json.RawMessage `json:"serviceAccount"`
		Role           json.RawMessage `json:"role"`
		RoleBinding    json.RawMessage `json:"roleBinding"`
	} `json:"rbac"`
	// Datasource is Grafana's datasource provisioning in a ConfigMap.
	Datasource struct {
		Path   string             `json:"path"`
		Key    string             `json:"key"`
		Config GrafanaDatasources `json:"config"`
		Object json.RawMessage    `json:"object"`
	} `json:"datasource"`
	Dashboards struct {
		Path string `json:"path"`
		// Objects are the ConfigMaps by dashboard name, without data.
		Objects map[string]json.RawMessage `json:"objects"`
	} `json:"dashboards"`
}

// K8sObject is one object in a file of its own.
type K8sObject struct {
	Path   string          `json:"path"`
	Object json.RawMessage `json:"object"`
}

// K8sObjects are the objects of one file under ops/k8s/.
type K8sObjects struct {
	Path    string            `json:"path"`
	Objects []json.RawMessage `json:"objects"`
}

// KubernetesService is a Service the scrape targets reach that ops/k8s/
// does not create.
type KubernetesService struct {
	Job       string `json:"job"`
	Name      string `json:"name"`
	Namespace string `json:"namespace"`
	Port      int    `json:"port"`
	Owner     string `json:"owner"`
}
