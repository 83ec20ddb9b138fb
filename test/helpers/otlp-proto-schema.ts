/**
 * The OTLP trace request schema as protobufjs reflection JSON, written by hand from
 * opentelemetry-proto (collector/trace/v1/trace_service.proto, trace/v1/trace.proto,
 * common/v1/common.proto, resource/v1/resource.proto) so the test receiver decodes OTLP/protobuf
 * without trusting the exporter's own encoder. Field names are the OTLP/JSON (lowerCamelCase) ones.
 */
import protobuf from 'protobufjs';

const COMMON = '.opentelemetry.proto.common.v1';
const RESOURCE = '.opentelemetry.proto.resource.v1';
const TRACE = '.opentelemetry.proto.trace.v1';

const root = protobuf.Root.fromJSON({
  nested: {
    opentelemetry: {
      nested: {
        proto: {
          nested: {
            common: {
              nested: {
                v1: {
                  nested: {
                    AnyValue: {
                      oneofs: {
                        value: {
                          oneof: ['stringValue', 'boolValue', 'intValue', 'doubleValue', 'arrayValue', 'kvlistValue', 'bytesValue'],
                        },
                      },
                      fields: {
                        stringValue: { type: 'string', id: 1 },
                        boolValue: { type: 'bool', id: 2 },
                        intValue: { type: 'int64', id: 3 },
                        doubleValue: { type: 'double', id: 4 },
                        arrayValue: { type: `${COMMON}.ArrayValue`, id: 5 },
                        kvlistValue: { type: `${COMMON}.KeyValueList`, id: 6 },
                        bytesValue: { type: 'bytes', id: 7 },
                      },
                    },
                    ArrayValue: {
                      fields: { values: { rule: 'repeated', type: `${COMMON}.AnyValue`, id: 1 } },
                    },
                    KeyValueList: {
                      fields: { values: { rule: 'repeated', type: `${COMMON}.KeyValue`, id: 1 } },
                    },
                    KeyValue: {
                      fields: {
                        key: { type: 'string', id: 1 },
                        value: { type: `${COMMON}.AnyValue`, id: 2 },
                      },
                    },
                    InstrumentationScope: {
                      fields: {
                        name: { type: 'string', id: 1 },
                        version: { type: 'string', id: 2 },
                        attributes: { rule: 'repeated', type: `${COMMON}.KeyValue`, id: 3 },
                        droppedAttributesCount: { type: 'uint32', id: 4 },
                      },
                    },
                  },
                },
              },
            },
            resource: {
              nested: {
                v1: {
                  nested: {
                    Resource: {
                      fields: {
                        attributes: { rule: 'repeated', type: `${COMMON}.KeyValue`, id: 1 },
                        droppedAttributesCount: { type: 'uint32', id: 2 },
                      },
                    },
                  },
                },
              },
            },
            trace: {
              nested: {
                v1: {
                  nested: {
                    ResourceSpans: {
                      fields: {
                        resource: { type: `${RESOURCE}.Resource`, id: 1 },
                        scopeSpans: { rule: 'repeated', type: `${TRACE}.ScopeSpans`, id: 2 },
                        schemaUrl: { type: 'string', id: 3 },
                      },
                    },
                    ScopeSpans: {
                      fields: {
                        scope: { type: `${COMMON}.InstrumentationScope`, id: 1 },
                        spans: { rule: 'repeated', type: `${TRACE}.Span`, id: 2 },
                        schemaUrl: { type: 'string', id: 3 },
                      },
                    },
                    Span: {
                      fields: {
                        traceId: { type: 'bytes', id: 1 },
                        spanId: { type: 'bytes', id: 2 },
                        traceState: { type: 'string', id: 3 },
                        parentSpanId: { type: 'bytes', id: 4 },
                        flags: { type: 'fixed32', id: 16 },
                        name: { type: 'string', id: 5 },
                        kind: { type: `${TRACE}.Span.SpanKind`, id: 6 },
                        startTimeUnixNano: { type: 'fixed64', id: 7 },
                        endTimeUnixNano: { type: 'fixed64', id: 8 },
                        attributes: { rule: 'repeated', type: `${COMMON}.KeyValue`, id: 9 },
                        droppedAttributesCount: { type: 'uint32', id: 10 },
                        events: { rule: 'repeated', type: `${TRACE}.Span.Event`, id: 11 },
                        droppedEventsCount: { type: 'uint32', id: 12 },
                        links: { rule: 'repeated', type: `${TRACE}.Span.Link`, id: 13 },
                        droppedLinksCount: { type: 'uint32', id: 14 },
                        status: { type: `${TRACE}.Status`, id: 15 },
                      },
                      nested: {
                        SpanKind: {
                          values: {
                            SPAN_KIND_UNSPECIFIED: 0,
                            SPAN_KIND_INTERNAL: 1,
                            SPAN_KIND_SERVER: 2,
                            SPAN_KIND_CLIENT: 3,
                            SPAN_KIND_PRODUCER: 4,
                            SPAN_KIND_CONSUMER: 5,
                          },
                        },
                        Event: {
                          fields: {
                            timeUnixNano: { type: 'fixed64', id: 1 },
                            name: { type: 'string', id: 2 },
                            attributes: { rule: 'repeated', type: `${COMMON}.KeyValue`, id: 3 },
                            droppedAttributesCount: { type: 'uint32', id: 4 },
                          },
                        },
                        Link: {
                          fields: {
                            traceId: { type: 'bytes', id: 1 },
                            spanId: { type: 'bytes', id: 2 },
                            traceState: { type: 'string', id: 3 },
                            attributes: { rule: 'repeated', type: `${COMMON}.KeyValue`, id: 4 },
                            droppedAttributesCount: { type: 'uint32', id: 5 },
                            flags: { type: 'fixed32', id: 6 },
                          },
                        },
                      },
                    },
                    Status: {
                      fields: {
                        message: { type: 'string', id: 2 },
                        code: { type: `${TRACE}.Status.StatusCode`, id: 3 },
                      },
                      nested: {
                        StatusCode: {
                          values: { STATUS_CODE_UNSET: 0, STATUS_CODE_OK: 1, STATUS_CODE_ERROR: 2 },
                        },
                      },
                    },
                  },
                },
              },
            },
            collector: {
              nested: {
                trace: {
                  nested: {
                    v1: {
                      nested: {
                        ExportTraceServiceRequest: {
                          fields: {
                            resourceSpans: { rule: 'repeated', type: `${TRACE}.ResourceSpans`, id: 1 },
                          },
                        },
                      },
                    },
                  },
                },
              },
            },
          },
        },
      },
    },
  },
});

const ExportTraceServiceRequest = root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest');

type Json = Record<string, unknown>;

function base64ToHex(value: unknown): unknown {
  return typeof value === 'string' ? Buffer.from(value, 'base64').toString('hex') : value;
}

/** OTLP/JSON writes trace and span ids as hex, not base64 like other bytes. */
function idsToHex(o: Json): void {
  for (const key of ['traceId', 'spanId', 'parentSpanId']) if (key in o) o[key] = base64ToHex(o[key]);
}

/**
 * Decodes an OTLP/protobuf ExportTraceServiceRequest into the plain OTLP/JSON-like shape
 * `decodeTraces()` reads: ids as lowercase hex, 64-bit integers as exact decimal strings, other
 * bytes as base64, enums as numbers, absent fields absent. Throws on a body that is not one.
 */
export function decodeProtobufTraceRequest(bytes: Uint8Array): unknown {
  const message = ExportTraceServiceRequest.decode(bytes);
  const request = ExportTraceServiceRequest.toObject(message, { longs: String, bytes: String, enums: Number }) as Json;
  for (const rs of (request.resourceSpans ?? []) as Json[]) {
    for (const ss of (rs.scopeSpans ?? []) as Json[]) {
      for (const span of (ss.spans ?? []) as Json[]) {
        idsToHex(span);
        for (const link of (span.links ?? []) as Json[]) idsToHex(link);
      }
    }
  }
  return request;
}
