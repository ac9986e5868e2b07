// Package awsenv builds an aws.Config from the environment a Lambda function
// (or an ECS/EKS container) is given, and nothing else.
//
// config.LoadDefaultConfig reads shared config files and links every
// credential source the SDK knows (SSO, SSO-OIDC, STS web identity and
// assume-role, sign-in, process credentials, EC2 IMDS): about a sixth of the
// processor's bootstrap and work at every cold start, for sources a Lambda
// never uses. A Lambda gets its region and role credentials as environment
// variables (https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime);
// SnapStart and container platforms hand out credentials through a local
// HTTP endpoint instead, which this package also reads.
package awsenv

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/credentials/endpointcreds"
)

// The variables Load reads. They mean what they mean to the AWS SDKs
// (https://docs.aws.amazon.com/sdkref/latest/guide/settings-reference.html).
const (
	EnvRegion             = "AWS_REGION"
	EnvDefaultRegion      = "AWS_DEFAULT_REGION"
	EnvAccessKeyID        = "AWS_ACCESS_KEY_ID"
	EnvSecretAccessKey    = "AWS_SECRET_ACCESS_KEY"
	EnvSessionToken       = "AWS_SESSION_TOKEN"
	EnvContainerRelative  = "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"
	EnvContainerFull      = "AWS_CONTAINER_CREDENTIALS_FULL_URI"
	EnvContainerToken     = "AWS_CONTAINER_AUTHORIZATION_TOKEN"
	EnvContainerTokenFile = "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"
	EnvEndpointURL        = "AWS_ENDPOINT_URL"
	EnvIgnoreEndpoints    = "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"
)

// ecsHost serves relative container credential URIs (ECS task roles).
const ecsHost = "http://169.254.170.2"

// ErrNoCredentials: the environment names no credentials Load can use.
var ErrNoCredentials = errors.New("no AWS credentials in the environment")

// Load returns the configuration the environment describes (getenv nil:
// os.Getenv). Credentials come from AWS_ACCESS_KEY_ID and
// AWS_SECRET_ACCESS_KEY (with AWS_SESSION_TOKEN), as Lambda sets them, or
// else from the container credentials endpoint. Endpoints may be overridden
// per service with AWS_ENDPOINT_URL_<SERVICE> (e.g. _DYNAMODB, _SESV2) or
// for all with AWS_ENDPOINT_URL, which is how tests point one binary at
// local stand-ins.
func Load(getenv func(string) string) (aws.Config, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	get := func(k string) string { return strings.TrimSpace(getenv(k)) }
	cfg := aws.Config{Region: get(EnvRegion)}
	if cfg.Region == "" {
		cfg.Region = get(EnvDefaultRegion)
	}
	if cfg.Region == "" {
		return aws.Config{}, fmt.Errorf("no AWS region: set %s", EnvRegion)
	}
	creds, err := credentialsFrom(get)
	if err != nil {
		return aws.Config{}, err
	}
	cfg.Credentials = creds
	if !strings.EqualFold(get(EnvIgnoreEndpoints), "true") {
		cfg.BaseEndpoint = optional(get(EnvEndpointURL))
		cfg.ConfigSources = append(cfg.ConfigSources, serviceEndpoints(get))
	}
	return cfg, nil
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func credentialsFrom(get func(string) string) (aws.CredentialsProvider, error) {
	id, secret := get(EnvAccessKeyID), get(EnvSecretAccessKey)
	switch {
	case id != "" && secret != "":
		return credentials.NewStaticCredentialsProvider(id, secret, get(EnvSessionToken)), nil
	case id != "" || secret != "":
		return nil, fmt.Errorf("%w: %s and %s must be set together", ErrNoCredentials, EnvAccessKeyID, EnvSecretAccessKey)
	case get(EnvContainerRelative) != "":
		return containerCredentials(get, ecsHost+get(EnvContainerRelative))
	case get(EnvContainerFull) != "":
		full := get(EnvContainerFull)
		if err := checkContainerURL(full); err != nil {
			return nil, fmt.Errorf("%s: %w", EnvContainerFull, err)
		}
		return containerCredentials(get, full)
	}
	return nil, fmt.Errorf("%w: set %s and %s, or %s (Lambda and ECS set these)",
		ErrNoCredentials, EnvAccessKeyID, EnvSecretAccessKey, EnvContainerFull)
}

// containerCredentials reads role credentials from the container endpoint,
// caching them until five minutes before they expire, as the SDK's default
// chain does.
func containerCredentials(get func(string) string, endpoint string) (aws.CredentialsProvider, error) {
	token, tokenFile := get(EnvContainerToken), get(EnvContainerTokenFile)
	p := endpointcreds.New(endpoint, func(o *endpointcreds.Options) {
		o.AuthorizationToken = token
		if tokenFile != "" {
			// Read at every refresh: the platform rotates the file.
			o.AuthorizationTokenProvider = endpointcreds.TokenProviderFunc(func() (string, error) {
				b, err := os.ReadFile(tokenFile)
				if err != nil {
					return "", fmt.Errorf("read %s: %w", EnvContainerTokenFile, err)
				}
				return strings.TrimSpace(string(b)), nil
			})
		}
	})
	return aws.NewCredentialsCache(p, func(o *aws.CredentialsCacheOptions) { o.ExpiryWindow = 5 * time.Minute }), nil
}

// checkContainerURL applies the SDK's rule to a full credentials URI: plain
// HTTP only to loopback or the ECS/EKS link-local agents, so that a wrong
// variable cannot send the role's authorization token across a network in
// clear text. HTTPS may go anywhere.
func checkContainerURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("invalid URL: %w", err)
	}
	host := u.Hostname()
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return fmt.Errorf("scheme %q is not http or https", u.Scheme)
	case host == "":
		return fmt.Errorf("no host in %q", raw)
	case u.Scheme == "https":
		return nil
	}
	addrs := []string{host}
	if net.ParseIP(host) == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if addrs, err = net.DefaultResolver.LookupHost(ctx, host); err != nil {
			return fmt.Errorf("resolve %q: %w", host, err)
		}
	}
	for _, a := range addrs {
		if ip := net.ParseIP(a); ip == nil || !containerIP(ip) {
			return fmt.Errorf("plain http to %s (%s) is refused: only loopback and the ECS/EKS agents may serve credentials without TLS", host, a)
		}
	}
	return nil
}

var containerIPs = []net.IP{net.ParseIP("169.254.170.2"), net.ParseIP("169.254.170.23"), net.ParseIP("fd00:ec2::23")}

func containerIP(ip net.IP) bool {
	if ip.IsLoopback() {
		return true
	}
	for _, c := range containerIPs {
		if ip.Equal(c) {
			return true
		}
	}
	return false
}

// serviceEndpoints answers the SDK clients' question "is there an endpoint
// configured for service sdkID?" from AWS_ENDPOINT_URL_<SDK ID> (upper
// case, spaces as underscores: "CloudWatch Logs" → _CLOUDWATCH_LOGS).
type serviceEndpoints func(string) string

// GetServiceBaseEndpoint satisfies the SDK's (internal)
// configsources.ServiceBaseEndpointProvider, which clients look for in
// aws.Config.ConfigSources.
func (get serviceEndpoints) GetServiceBaseEndpoint(_ context.Context, sdkID string) (string, bool, error) {
	key := EnvEndpointURL + "_" + strings.ReplaceAll(strings.ToUpper(sdkID), " ", "_")
	v := get(key)
	return v, v != "", nil
}
