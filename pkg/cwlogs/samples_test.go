package cwlogs

// Samples copied verbatim from public AWS documentation and captures, as
// collected in the project's format notes (see testdata/envelopes/README.md).

// awslogsSample is aws-lambda-go's events/testdata/cloudwatch-logs-event.json
// data: base64 gzip of a two-event DATA_MESSAGE.
const awslogsSample = "H4sIAAAAAAAAAHWPwQqCQBCGX0Xm7EFtK+smZBEUgXoLCdMhFtKV3akI8d0bLYmibvPPN3wz00CJxmQnTO41whwWQRIctmEcB6sQbFC3CjW3XW8kxpOpP+OC22d1Wml1qZkQGtoMsScxaczKN3plG8zlaHIta5KqWsozoTYw3/djzwhpLwivWFGHGpAFe7DL68JlBUk+l7KSN7tCOEJ4M3/qOI49vMHj+zCKdlFqLaU2ZHV2a4Ct/an0/ivdX8oYc1UVX860fQDQiMdxRQEAAA=="

// kinesisSample is the data of a real Kinesis record (Powertools
// tests/events/kinesisStreamCloudWatchLogsEvent.json, eu-west-1, 2022):
// START, END and a cold-start REPORT with an X-Ray line.
const kinesisSample = "H4sIAAAAAAAAAK2Sa2vbMBSG/4ox+xg3Oror39IlvaztVmJv7WjCUGwl8+ZLZstts5L/vuOsZYUyWGEgJHiP9J7nvOghLF3b2rVLthsXjsLJOBl/uZjG8fh4Gg7C+q5yDcqUAWcSONHEoFzU6+Om7jZYGdq7dljYcpnZ4cZHwLWOJl1Zbs/r9cR6e9RVqc/rKlpXV9eXt+fy27vt8W+L2DfOlr07oXQIMAQyvHlzPk6mcbKgciktF5lQfMU5dZZqzrShLF2uFC60aLtlmzb5prc/ygvvmjYc3YRPFG+LusuurE+/Ikqb1Gd55dq8jV+8isT6+317Rk42J5PTcLFnm966yvd2D2GeISJTYIwCJSQ1BE9OtWZCABWaKMIJAMdDMyU5MYZLhmkxBhQxfY4Re1tiWiAlBsgIVQTE4Cl6tI+T8SwJZu5Hh1dPs1FApOMSDI9WVKmIC+4irTMWQZYpx7QkztrgE06MU4yCx9DmVbgbvABmQJTGtkYAB0NwEwyYQUBpqEFuSbkGrThTRKi/AlP+HHj6fvJa3P9Ap/+Rbja9/PD6POd+0jXW7xM1B8CDsp37w7woXBb8qQDZ6xeurJttEOc/HWpUBxeHKNr74LHwsXXYlsm9flrl/rmFIQeS7m3m1fVs/DlIGpu6nhMiyWQGXNKIMbcCIgkhElKbaZnZpYJUz33s1iV+z/6+StMlR3yphHNcCyxiNEXf2zed6xuEu8XuF2wb6krnAwAA"

// reportDocument is the AWS Lambda guide's decoded DATA_MESSAGE (note the
// stray space before a tab in the REPORT line).
const reportDocument = `{
    "messageType": "DATA_MESSAGE",
    "owner": "123456789012",
    "logGroup": "/aws/lambda/echo-nodejs",
    "logStream": "2019/03/13/[$LATEST]94fa867e5374431291a7fc14e2f56ae7",
    "subscriptionFilters": [
        "LambdaStream_cloudwatchlogs-node"
    ],
    "logEvents": [
        {
            "id": "34622316099697884706540976068822859012661220141643892546",
            "timestamp": 1552518348220,
            "message": "REPORT RequestId: 6234bffe-149a-b642-81ff-2e8e376d8aff\tDuration: 46.84 ms\tBilled Duration: 47 ms \tMemory Size: 192 MB\tMax Memory Used: 72 MB\t\n"
        }
    ]
}`

// controlDocument is a real CONTROL_MESSAGE (openobserve issue #505).
const controlDocument = `{
  "messageType": "CONTROL_MESSAGE",
  "owner": "CloudwatchLogs",
  "logGroup": "",
  "logStream": "",
  "subscriptionFilters": [],
  "logEvents": [
    {
      "id": "",
      "timestamp": 1680683189085,
      "message": "CWL CONTROL MESSAGE: Checking health of destination Firehose."
    }
  ]
}`

// timeoutDocument carries an old-style timeout (REPORT, then a separate
// "Task timed out" event) and a new-style one (Status: timeout), plus an
// account-level policyLevel.
const timeoutDocument = `{"messageType":"DATA_MESSAGE","owner":"123456789012","logGroup":"/aws/lambda/report-exporter","logStream":"2024/10/03/[$LATEST]0c6c8f5b8f9b4a0fa7e1b2c3d4e5f607","subscriptionFilters":["logwarden","AccountLevelFilter"],"logEvents":[` +
	`{"id":"37843510299485216310812311337081052131216891431680000000","timestamp":1591714946150,"message":"REPORT RequestId: 7c9567b5-107b-4a6c-8798-0157ac21db52\tDuration: 3003.16 ms\tBilled Duration: 3000 ms\tMemory Size: 128 MB\tMax Memory Used: 48 MB\tInit Duration: 127.02 ms\t\n"},` +
	`{"id":"37843510299485216310812311337081052131216891431680000001","timestamp":1591714946150,"message":"2020-06-09T15:02:26.150Z 7c9567b5-107b-4a6c-8798-0157ac21db52 Task timed out after 3.00 seconds\n\n"},` +
	`{"id":"38544937171669213457925713584391011617452094387165380608","timestamp":1727949600000,"message":"REPORT RequestId: 13222b1e-f16b-4550-89df-869ab0a9806d\tDuration: 3000.00 ms\tBilled Duration: 3000 ms\tMemory Size: 1024 MB\tMax Memory Used: 64 MB\tStatus: timeout"},` +
	`{"id":"38544937171669213457925713584391011617452094387165380609","timestamp":1727949600001,"message":"{\"time\":\"2024-10-18T19:38:39.661Z\",\"type\":\"platform.report\",\"record\":{\"requestId\":\"b441820a-ebe5-4d5f-93bc-f945707b0225\",\"metrics\":{\"durationMs\":30000.0,\"billedDurationMs\":30000,\"memorySizeMB\":128,\"maxMemoryUsedMB\":74,\"initDurationMs\":985.413},\"status\":\"timeout\"}}"}` +
	`],"policyLevel":"ACCOUNT_LEVEL_POLICY"}`

// authDocument has authentication lines from CloudTrail and API Gateway.
const authDocument = `{"messageType":"DATA_MESSAGE","owner":"111122223333","logGroup":"aws-cloudtrail-logs-111122223333","logStream":"111122223333_CloudTrail_us-east-1","subscriptionFilters":["logwarden"],"logEvents":[` +
	`{"id":"37254863215438209134016410367215870935283813734957645824","timestamp":1668097474000,"message":"{\"eventVersion\":\"1.05\",\"userIdentity\":{\"type\":\"IAMUser\",\"principalId\":\"AIDACKCEVSQ6C2EXAMPLE\",\"accountId\":\"111122223333\",\"accessKeyId\":\"\",\"userName\":\"anaya\"},\"eventTime\":\"2022-11-10T16:24:34Z\",\"eventSource\":\"signin.amazonaws.com\",\"eventName\":\"ConsoleLogin\",\"awsRegion\":\"us-east-1\",\"sourceIPAddress\":\"192.0.2.0\",\"errorMessage\":\"Failed authentication\",\"responseElements\":{\"ConsoleLogin\":\"Failure\"}}"},` +
	`{"id":"37254863215438209134016410367215870935283813734957645825","timestamp":1698414057744,"message":"{ \"caller\": \"-\", \"ip\": \"51.14.4.225\", \"method\": \"POST\", \"protocol\": \"HTTP/1.1\", \"requestId\": \"a4188e34-1104-424e-9907-eebbf55dd662\", \"requestTime\": \"27/Oct/2023:13:40:57 +0000\", \"requestTimeEpoch\": \"1698414057744\", \"responseLength\": \"87\", \"status\": \"401\", \"user\": \"-\" }"}` +
	`]}`

// unicodeDocument exercises escapes real encoders emit: \/, \u00e9,
// a surrogate pair (U+1F512), an unpaired surrogate and raw UTF-8.
const unicodeDocument = `{"messageType":"DATA_MESSAGE","owner":"123456789012","logGroup":"/aws/lambda/i18n","logStream":"s","subscriptionFilters":["f"],"logEvents":[` +
	`{"id":"1","timestamp":1700000000000,"message":"path \/login caf\u00e9 \ud83d\udd12 lone \ud800 end"},` +
	`{"id":"2","timestamp":1700000000001,"message":"Grüße 東京 \"quoted\"\\\b\f\r"}` +
	`]}`

// sshdLines are OpenSSH lines shipped by the CloudWatch agent (fail2ban's
// corpus), including the injection test whose real source is the last from.
const sshdLines = `Feb 25 14:34:10 belka sshd[31602]: Failed password for invalid user ROOT from 194.117.26.69 port 50273 ssh2
Jul 20 14:42:12 localhost sshd[22708]: Invalid user ftp from 192.0.2.2 port 37220

Jan  5 01:31:41 www sshd[1643]: ROOT LOGIN REFUSED FROM 1.2.3.4 port 12345 [preauth]
Nov 11 08:04:52 redbamboo sshd[2737]: Failed password for invalid user test from 10.10.1.2 port 55555 ssh2 from 127.0.0.1 port 58946 ssh2
`

// badTimesDocument has events outside the sane range between good ones:
// int64 max (which once printed "in -2562047h"), zero (a missing
// timestamp), negative, a second before 2000 and 2200 itself.
const badTimesDocument = `{"messageType":"DATA_MESSAGE","owner":"123456789012","logGroup":"/aws/lambda/clock","logStream":"s","subscriptionFilters":["f"],"logEvents":[` +
	`{"id":"1","timestamp":1700000000000,"message":"first good"},` +
	`{"id":"2","timestamp":9223372036854775807,"message":"REPORT RequestId: x\tDuration: 1.00 ms\tBilled Duration: 1 ms\tMemory Size: 128 MB\tMax Memory Used: 128 MB\t"},` +
	`{"id":"3","message":"no timestamp"},` +
	`{"id":"4","timestamp":-5,"message":"negative"},` +
	`{"id":"5","timestamp":946684799999,"message":"1999-12-31T23:59:59.999Z"},` +
	`{"id":"6","timestamp":7258118400000,"message":"2200-01-01T00:00:00Z"},` +
	`{"id":"7","timestamp":946684800000,"message":"2000-01-01T00:00:00Z is the first good instant"},` +
	`{"id":"8","timestamp":7258118399999,"message":"and this the last"}` +
	`]}`

// oddTypeDocument is valid JSON with a messageType CloudWatch never sends.
const oddTypeDocument = `{"messageType":"DEBUG_MESSAGE","owner":"123456789012","logGroup":"/aws/lambda/odd","logStream":"s","subscriptionFilters":["f"],"logEvents":[` +
	`{"id":"1","timestamp":1700000000000,"message":"must not be analysed"}]}`

// filterLogEventsOutput is what `aws logs filter-log-events --log-group-name
// /aws/lambda/checkout` prints (AWS CLI v2, JSON output; the CLI merges the
// pages and drops nextToken): events of two streams interleaved by time, a
// timeout in the old style, and the searchedLogStreams list. Messages are
// the Lambda guide's and the DataDog timeout fixture's lines.
const filterLogEventsOutput = `{
    "events": [
        {
            "logStreamName": "2026/03/03/[$LATEST]94fa867e5374431291a7fc14e2f56ae7",
            "timestamp": 1772532000000,
            "message": "START RequestId: 7c9567b5-107b-4a6c-8798-0157ac21db52 Version: $LATEST\n",
            "ingestionTime": 1772532000410,
            "eventId": "39483049820000000000000000000000000000000000000000000000"
        },
        {
            "logStreamName": "2026/03/03/[$LATEST]94fa867e5374431291a7fc14e2f56ae7",
            "timestamp": 1772532003003,
            "message": "2026-03-03T10:00:03.003Z 7c9567b5-107b-4a6c-8798-0157ac21db52 Task timed out after 3.00 seconds\n\n",
            "ingestionTime": 1772532003512,
            "eventId": "39483049887000000000000000000000000000000000000000000001"
        },
        {
            "logStreamName": "2026/03/03/[$LATEST]0c6c8f5b8f9b4a0fa7e1b2c3d4e5f607",
            "timestamp": 1772532004000,
            "message": "REPORT RequestId: 4ce9340a-b765-490f-ad8a-02ab3415e2bf\tDuration: 26.73 ms\tBilled Duration: 27 ms \tMemory Size: 128 MB\tMax Memory Used: 75 MB\t\n",
            "ingestionTime": 1772532004388,
            "eventId": "39483049909000000000000000000000000000000000000000000002"
        },
        {
            "logStreamName": "2026/03/03/[$LATEST]94fa867e5374431291a7fc14e2f56ae7",
            "timestamp": 1772532004100,
            "message": "REPORT RequestId: 7c9567b5-107b-4a6c-8798-0157ac21db52\tDuration: 3003.16 ms\tBilled Duration: 3000 ms\tMemory Size: 128 MB\tMax Memory Used: 48 MB\tInit Duration: 127.02 ms\t\n",
            "ingestionTime": 1772532004601,
            "eventId": "39483049911000000000000000000000000000000000000000000003"
        }
    ],
    "searchedLogStreams": [
        {
            "logStreamName": "2026/03/03/[$LATEST]0c6c8f5b8f9b4a0fa7e1b2c3d4e5f607",
            "searchedCompletely": true
        },
        {
            "logStreamName": "2026/03/03/[$LATEST]94fa867e5374431291a7fc14e2f56ae7",
            "searchedCompletely": true
        }
    ]
}
`

// getLogEventsOutput is what `aws logs get-log-events --log-group-name G
// --log-stream-name S` prints: no stream and no event id per event, paging
// tokens at the end (the Lambda guide's python-logging example).
const getLogEventsOutput = `{
    "events": [
        {
            "timestamp": 1772532000000,
            "message": "START RequestId: 4ce9340a-b765-490f-ad8a-02ab3415e2bf Version: $LATEST\n",
            "ingestionTime": 1772532000510
        },
        {
            "timestamp": 1772532000026,
            "message": "END RequestId: 4ce9340a-b765-490f-ad8a-02ab3415e2bf\n",
            "ingestionTime": 1772532000510
        },
        {
            "timestamp": 1772532000027,
            "message": "REPORT RequestId: 4ce9340a-b765-490f-ad8a-02ab3415e2bf\tDuration: 26.73 ms\tBilled Duration: 27 ms \tMemory Size: 128 MB\tMax Memory Used: 75 MB\t\n",
            "ingestionTime": 1772532000510
        }
    ],
    "nextForwardToken": "f/39483049820000000000000000000000000000000000000000000002/s",
    "nextBackwardToken": "b/39483049820000000000000000000000000000000000000000000000/s"
}
`

// queryEventsOutput is `aws logs filter-log-events ... --query events`: the
// bare event list.
const queryEventsOutput = `[
    {
        "logStreamName": "111122223333_CloudTrail_us-east-1",
        "timestamp": 1668097474000,
        "message": "{\"eventVersion\":\"1.05\",\"userIdentity\":{\"type\":\"IAMUser\",\"userName\":\"anaya\"},\"eventTime\":\"2022-11-10T16:24:34Z\",\"eventSource\":\"signin.amazonaws.com\",\"eventName\":\"ConsoleLogin\",\"sourceIPAddress\":\"192.0.2.0\",\"errorMessage\":\"Failed authentication\",\"responseElements\":{\"ConsoleLogin\":\"Failure\"}}",
        "ingestionTime": 1668097474900,
        "eventId": "37254863215438209134016410367215870935283813734957645824"
    }
]
`

// s3ExportLines is one object of a CloudWatch Logs export to S3
// (create-export-task), before gzip: "<RFC 3339 time> <message>" per
// line; multi-line messages continue on lines of their own.
const s3ExportLines = `2026-03-03T10:00:00.000Z START RequestId: 7c9567b5-107b-4a6c-8798-0157ac21db52 Version: $LATEST
2026-03-03T10:00:03.003Z 2026-03-03T10:00:03.003Z 7c9567b5-107b-4a6c-8798-0157ac21db52 Task timed out after 3.00 seconds
2026-03-03T10:00:04.100Z REPORT RequestId: 7c9567b5-107b-4a6c-8798-0157ac21db52	Duration: 3003.16 ms	Billed Duration: 3000 ms	Memory Size: 128 MB	Max Memory Used: 48 MB	Init Duration: 127.02 ms	
2026-03-03T10:00:05.000Z [ERROR] Runtime.UnhandledPromiseRejection: Error: boom
    at handler (/var/task/index.js:12:11)
    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)
`

// jsonAppLines are application JSON log lines whose "events" is not a list:
// they are plain text, never AWS CLI output.
const jsonAppLines = `{"level":"info","events":3,"msg":"flushed"}
{"level":"warn","events":{"dropped":1},"msg":"queue full"}
`
