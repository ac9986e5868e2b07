// Package testenv gives integration tests the local stand-ins started by
// `make test` (.ci/standins.sh): dynalite, aws-ses-v2-local, moto server and
// the Lambda Runtime Interface Emulator.
//
// A test that needs a stand-in skips when it is missing on a developer's
// machine, and fails when CI=true: in CI a missing stand-in is a broken
// setup, not a reason to pass.
package testenv

import (
	"os"
	"testing"
)

// Names of the environment variables .ci/standins.sh exports.
const (
	DynamoDB = "LOGWARDEN_TEST_DYNAMODB_ENDPOINT"
	SES      = "LOGWARDEN_TEST_SES_ENDPOINT"
	Moto     = "LOGWARDEN_TEST_MOTO_ENDPOINT"
	RIE      = "LOGWARDEN_TEST_RIE"
)

// Require returns the value of the stand-in variable name, skipping the test
// when it is unset outside CI and failing it in CI.
func Require(t testing.TB, name string) string {
	t.Helper()
	v := os.Getenv(name)
	if v != "" {
		return v
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is not set: CI must run the stand-ins (make test starts them)", name)
	}
	t.Skipf("%s not set; run `make test` to start the local stand-ins", name)
	return ""
}
