using Confluent.Kafka;

namespace Streaming.SchemaRegistry;

/// <summary>
/// Runs Confluent's asynchronous serdes (AvroSerializer, AvroDeserializer) synchronously on the calling thread.
/// </summary>
/// <remarks>
/// The normalizer's and the status projection's loops run on their own threads and call a serde once per record.
/// Confluent's serdes chain their steps with <c>ContinueWith</c> on the current task scheduler, so a plain
/// <c>.GetAwaiter().GetResult()</c> sends every record through the thread pool's global queue and back: under load the
/// loop waits behind the web server's work for each record (a p99 of seconds end to end), and when the pool is
/// starved it stalls. Started on <see cref="CallerThreadScheduler"/>, those continuations run inline instead; only a
/// real wait (the registry fetched over HTTP the first time a schema id is seen) still leaves the thread.
/// </remarks>
public static class CallerThreadSerdes
{
    private static readonly TaskFactory Inline = new(
        CancellationToken.None, TaskCreationOptions.DenyChildAttach, TaskContinuationOptions.None, CallerThreadScheduler.Instance);

    /// <summary>Serializes on the calling thread (see the class remarks).</summary>
    public static byte[] SerializeOnCallerThread<T>(this IAsyncSerializer<T> serializer, T value, SerializationContext context) =>
        Run(() => serializer.SerializeAsync(value, context));

    /// <summary>Deserializes a (non-null) value on the calling thread (see the class remarks).</summary>
    public static T DeserializeOnCallerThread<T>(this IAsyncDeserializer<T> deserializer, ReadOnlyMemory<byte> data, SerializationContext context) =>
        Run(() => deserializer.DeserializeAsync(data, isNull: false, context));

    /// <summary>
    /// A synchronous serializer for a <c>ProducerBuilder</c> whose <c>Produce</c> is called from a loop's own thread: what
    /// Confluent's <c>AsSyncOverAsync()</c> does, without the thread pool round trip per record.
    /// </summary>
    public static ISerializer<T> OnCallerThread<T>(this IAsyncSerializer<T> serializer) => new CallerThreadSerializer<T>(serializer);

    private static TResult Run<TResult>(Func<Task<TResult>> start) =>
        Inline.StartNew(start).Unwrap().GetAwaiter().GetResult();
}

internal sealed class CallerThreadSerializer<T>(IAsyncSerializer<T> inner) : ISerializer<T>
{
    public byte[] Serialize(T data, SerializationContext context) => inner.SerializeOnCallerThread(data, context);
}

/// <summary>A task scheduler that runs each task at once on the thread that queues it.</summary>
public sealed class CallerThreadScheduler : TaskScheduler
{
    public static readonly CallerThreadScheduler Instance = new();

    private CallerThreadScheduler()
    {
    }

    public override int MaximumConcurrencyLevel => 1;

    protected override void QueueTask(Task task) => TryExecuteTask(task);

    protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued) => TryExecuteTask(task);

    protected override IEnumerable<Task> GetScheduledTasks() => [];
}
