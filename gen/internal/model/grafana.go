package model

// GrafanaDatasources is a datasource provisioning file.
type GrafanaDatasources struct {
	APIVersion  int `json:"apiVersion" yaml:"apiVersion"`
	Datasources []struct {
		Name      string `json:"name" yaml:"name"`
		UID       string `json:"uid" yaml:"uid"`
		Type      string `json:"type" yaml:"type"`
		Access    string `json:"access" yaml:"access"`
		URL       string `json:"url" yaml:"url"`
		IsDefault bool   `json:"isDefault" yaml:"isDefault"`
		Editable  bool   `json:"editable" yaml:"editable"`
	} `json:"datasources" yaml:"datasources"`
}

// GrafanaDashboardProviders is a dashboard provider provisioning file.
type GrafanaDashboardProviders struct {
	APIVersion int `json:"apiVersion" yaml:"apiVersion"`
	Providers  []struct {
		Name                  string `json:"name" yaml:"name"`
		OrgID                 int    `json:"orgId" yaml:"orgId"`
		Folder                string `json:"folder" yaml:"folder"`
		Type                  string `json:"type" yaml:"type"`
		DisableDeletion       bool   `json:"disableDeletion" yaml:"disableDeletion"`
		UpdateIntervalSeconds int    `json:"updateIntervalSeconds" yaml:"updateIntervalSeconds"`
		AllowUIUpdates        bool   `json:"allowUiUpdates" yaml:"allowUiUpdates"`
		Options               struct {
			Path                      string `json:"path" yaml:"path"`
			FoldersFromFilesStructure bool   `json:"foldersFromFilesStructure" yaml:"foldersFromFilesStructure"`
		} `json:"options" yaml:"options"`
	} `json:"providers" yaml:"providers"`
}
