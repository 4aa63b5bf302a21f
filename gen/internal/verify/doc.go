// Package verify holds every named check gen runs on the model and the
// rendered files, with the real parsers and loaders of the deployed
// versions; each check reports every problem it finds, at the operator's
// line where one is to blame.
package verify
