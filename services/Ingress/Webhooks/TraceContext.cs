using System.Diagnostics;

namespace Streaming.Ingress.Webhooks;

/// <summary>W3C trace context for a webhook: the caller's, continued with a new span, or a new trace.</summary>
public readonly record struct TraceContext(string TraceParent, string? TraceState)
{
    public static TraceContext From(string? traceParent, string? traceState)
    {
        // version-traceid-parentid-flags; a malformed or all-zero parent starts a new trace.
        if (traceParent is { Length: 55 } && ActivityContext.TryParse(traceParent, traceState, out var parent))
        {
            return new TraceContext(Format(parent.TraceId, ActivitySpanId.CreateRandom(), parent.TraceFlags), parent.TraceState);
        }

        if (Activity.Current is { IdFormat: ActivityIdFormat.W3C } current)
        {
            return new TraceContext(current.Id!, current.TraceStateString);
        }

        return new TraceContext(Format(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.None), null);
    }

    private static string Format(ActivityTraceId traceId, ActivitySpanId spanId, ActivityTraceFlags flags) =>
        $"00-{traceId.ToHexString()}-{spanId.ToHexString()}-{((int)flags):x2}";
}
