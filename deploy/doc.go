// Package deploy holds logwarden's AWS SAM template (template.yaml) and the
// tests that pin its security and wiring properties: the Lambda permission
// scoped to this account's log groups, TTL and point-in-time recovery on
// the tables, the dead-letter queue and its alarm, least-privilege IAM, and
// the environment the processor expects; the resources each delivery mode
// (direct, Kinesis with an account policy or per-group filters) deploys;
// the operator's IAM policy (operator-policy.json) against the CLI's AWS
// calls; and README.md against the template. It has no runtime code.
package deploy
