// Package subscribetest sets up moto server (the local AWS stand-in started
// by .ci/standins.sh) for subscription tests: an AWS config pointing at it,
// a Lambda function to subscribe log groups to, and log groups under a
// prefix unique to the test, so parallel test packages sharing one moto
// server never see each other's groups.
package subscribetest

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/stretchr/testify/require"

	"github.com/logwarden/logwarden/internal/testenv"
)

// Region is the region the tests use in moto.
const Region = "us-east-1"

// Env is one test's corner of moto server.
type Env struct {
	Endpoint string
	Config   aws.Config
	Logs     *cloudwatchlogs.Client
	// Suffix is random and unique to the test; use it in names.
	Suffix string
}

// New returns the moto environment, skipping the test when moto is not
// running (and failing it under CI=true, see testenv.Require).
func New(t *testing.T) *Env {
	t.Helper()
	endpoint := testenv.Require(t, testenv.Moto)
	cfg := aws.Config{
		Region:       Region,
		Credentials:  credentials.NewStaticCredentialsProvider("testing", "testing", ""),
		BaseEndpoint: aws.String(endpoint),
	}
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return &Env{Endpoint: endpoint, Config: cfg, Logs: cloudwatchlogs.NewFromConfig(cfg), Suffix: hex.EncodeToString(b)}
}

// CreateFunction creates an IAM role and a provided.al2023 Lambda function
// named name in moto (PutSubscriptionFilter checks that the destination
// function exists) and returns the function ARN.
func (e *Env) CreateFunction(t *testing.T, name string) string {
	t.Helper()
	role := e.createRole(t, name+"-role")
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.Create("bootstrap")
	require.NoError(t, err)
	_, err = w.Write([]byte("#!/bin/sh\n"))
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	out, err := lambda.NewFromConfig(e.Config).CreateFunction(context.Background(), &lambda.CreateFunctionInput{
		FunctionName:  aws.String(name),
		Role:          aws.String(role),
		Runtime:       lambdatypes.RuntimeProvidedal2023,
		Handler:       aws.String("bootstrap"),
		Architectures: []lambdatypes.Architecture{lambdatypes.ArchitectureArm64},
		Code:          &lambdatypes.FunctionCode{ZipFile: buf.Bytes()},
	})
	require.NoError(t, err, "create function %s in moto", name)
	return aws.ToString(out.FunctionArn)
}

// createRole calls IAM CreateRole with the plain query protocol: the
// project does not depend on the IAM SDK module just for test setup. moto
// routes the request by the service named in the credential scope and does
// not check the signature.
func (e *Env) createRole(t *testing.T, name string) string {
	t.Helper()
	form := url.Values{
		"Action":                   {"CreateRole"},
		"Version":                  {"2010-05-08"},
		"RoleName":                 {name},
		"AssumeRolePolicyDocument": {`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`},
	}
	req, err := http.NewRequest(http.MethodPost, e.Endpoint+"/", strings.NewReader(form.Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=x")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode, "moto CreateRole")
	return fmt.Sprintf("arn:aws:iam::123456789012:role/%s", name)
}

// CreateLogGroups creates the named log groups.
func (e *Env) CreateLogGroups(t *testing.T, names ...string) {
	t.Helper()
	for _, n := range names {
		_, err := e.Logs.CreateLogGroup(context.Background(), &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(n)})
		require.NoError(t, err, "create log group %s", n)
	}
}

// PutFilter puts a subscription filter of another tool on a group.
func (e *Env) PutFilter(t *testing.T, group, filter, destination string) {
	t.Helper()
	_, err := e.Logs.PutSubscriptionFilter(context.Background(), &cloudwatchlogs.PutSubscriptionFilterInput{
		LogGroupName: aws.String(group), FilterName: aws.String(filter),
		FilterPattern: aws.String(""), DestinationArn: aws.String(destination),
	})
	require.NoError(t, err, "put filter %s on %s", filter, group)
}

// Filters returns name → destination of the filters on a group.
func (e *Env) Filters(t *testing.T, group string) map[string]string {
	t.Helper()
	out, err := e.Logs.DescribeSubscriptionFilters(context.Background(),
		&cloudwatchlogs.DescribeSubscriptionFiltersInput{LogGroupName: aws.String(group)})
	require.NoError(t, err)
	m := map[string]string{}
	for _, f := range out.SubscriptionFilters {
		m[aws.ToString(f.FilterName)] = aws.ToString(f.DestinationArn)
	}
	return m
}

// CreateRole creates an IAM role in moto (for the role CloudWatch Logs
// assumes to write to a stream; moto does not check its policies).
func (e *Env) CreateRole(t *testing.T, name string) string {
	t.Helper()
	return e.createRole(t, name)
}

// CreateStream creates a one-shard Kinesis data stream and returns its ARN.
// Kinesis is called with its JSON protocol directly, like IAM above, so the
// project does not depend on the Kinesis SDK module for test setup.
func (e *Env) CreateStream(t *testing.T, name string) string {
	t.Helper()
	e.kinesis(t, "CreateStream", map[string]any{"StreamName": name, "ShardCount": 1}, nil)
	var out struct {
		StreamDescriptionSummary struct{ StreamARN string }
	}
	e.kinesis(t, "DescribeStreamSummary", map[string]any{"StreamName": name}, &out)
	require.NotEmpty(t, out.StreamDescriptionSummary.StreamARN)
	return out.StreamDescriptionSummary.StreamARN
}

// StreamRecords reads every record of the stream's first shard: the bytes a
// Lambda event source mapping would hand the processor, base64-decoded.
func (e *Env) StreamRecords(t *testing.T, name string) [][]byte {
	t.Helper()
	var it struct{ ShardIterator string }
	e.kinesis(t, "GetShardIterator", map[string]any{"StreamName": name, "ShardId": "shardId-000000000000",
		"ShardIteratorType": "TRIM_HORIZON"}, &it)
	var recs struct{ Records []struct{ Data []byte } } // encoding/json decodes base64 into []byte
	e.kinesis(t, "GetRecords", map[string]any{"ShardIterator": it.ShardIterator}, &recs)
	var out [][]byte
	for _, r := range recs.Records {
		out = append(out, r.Data)
	}
	return out
}

func (e *Env) kinesis(t *testing.T, op string, in map[string]any, out any) {
	t.Helper()
	body, err := json.Marshal(in)
	require.NoError(t, err)
	req, err := http.NewRequest(http.MethodPost, e.Endpoint+"/", bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "Kinesis_20131202."+op)
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/kinesis/aws4_request, SignedHeaders=host, Signature=x")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, "moto Kinesis %s: %s", op, raw)
	if out != nil {
		require.NoError(t, json.Unmarshal(raw, out), "moto Kinesis %s: %s", op, raw)
	}
}
