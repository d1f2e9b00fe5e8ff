// Run AWS SDK for JavaScript v3 calls against hitl and print their outcomes as JSON (tests/protocol/test_js_sdk.py).
//
// stdin: [{"client": "runtime" | "sagemaker", "command": "StartHumanLoop", "input": {...}},
//         {"client": ..., "paginate": "ListHumanLoops", "input": {...}, "pageSize": 2}, ...]
// stdout: one result per call: {"output": {...}} | {"pages": [{...}, ...]} |
//         {"error": {"name", "modeledClass", "status", "fault", "message"}}
// Endpoint and credentials come from HITL_ENDPOINT and the standard AWS_* variables (the SDK's own chain).
import * as a2i from '@aws-sdk/client-sagemaker-a2i-runtime';
import * as sm from '@aws-sdk/client-sagemaker';

const endpoint = process.env.HITL_ENDPOINT;
const config = { endpoint, region: process.env.AWS_REGION || 'us-east-1', maxAttempts: 1 };
const clients = {
  runtime: { module: a2i, client: new a2i.SageMakerA2IRuntimeClient(config) },
  sagemaker: { module: sm, client: new sm.SageMakerClient(config) },
};

function plain(value) {
  const { $metadata, ...rest } = value || {};
  return rest;
}

async function run(call) {
  const { module, client } = clients[call.client];
  try {
    if (call.paginate) {
      const paginate = module[`paginate${call.paginate}`];
      const pages = [];
      for await (const page of paginate({ client, pageSize: call.pageSize }, call.input || {})) pages.push(plain(page));
      return { pages };
    }
    const Command = module[`${call.command}Command`];
    if (!Command) throw new Error(`no command ${call.command}`);
    return { output: plain(await client.send(new Command(call.input || {}))) };
  } catch (err) {
    const Modeled = module[err.name];
    return {
      error: {
        name: err.name,
        modeledClass: typeof Modeled === 'function' && err instanceof Modeled,
        serviceException: err instanceof module[call.client === 'runtime' ? 'SageMakerA2IRuntimeServiceException' : 'SageMakerServiceException'],
        status: err.$metadata ? err.$metadata.httpStatusCode : null,
        fault: err.$fault || null,
        message: err.message,
      },
    };
  }
}

let raw = '';
process.stdin.setEncoding('utf8');
for await (const chunk of process.stdin) raw += chunk;
const results = [];
for (const call of JSON.parse(raw)) results.push(await run(call));
process.stdout.write(JSON.stringify(results));
