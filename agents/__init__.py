"""Agents: hitl's extensions for AI agents that wait on a human, long-poll DescribeHumanLoop and the status-event stream.

A top layer beside the portal and the adapters (docs/architecture.md): it reads flows'
loops and events and is served by the ASGI app (`asgi`), with SigV4 and the runtime
API's errors from hitl.aws. The client side (LangChain, LangGraph) is the separate
`hitl_agents` package.
"""
