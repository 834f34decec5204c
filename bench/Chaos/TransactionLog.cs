using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;

namespace Streaming.Chaos;

/// <summary>How a record's transaction ended, as the partition's own transaction markers say.</summary>
internal enum RecordFate
{
    /// <summary>Written without a transaction.</summary>
    NonTransactional,

    /// <summary>Its producer's next marker on the partition is COMMIT.</summary>
    Committed,

    /// <summary>Its producer's next marker on the partition is ABORT.</summary>
    Aborted,

    /// <summary>No marker follows for its producer: the transaction never ended (its producer was killed; a real broker aborts it).</summary>
    NeverEnded,
}

/// <summary>
/// Reads a partition's log as the broker stores it, record batches and transaction control batches (COMMIT/ABORT
/// markers) included, with plain Kafka Fetch requests (v4, read_uncommitted) on a TCP connection: the view a Kafka
/// client library hides. On librdkafka's mock cluster the markers are written but read_committed fetches still
/// return aborted records, so this is how the reconciliation tells an aborted copy from a committed one.
/// Single-broker clusters only (every partition's leader is the bootstrap broker); data records are never decoded (their offsets come from the batch header), so compression does not matter.
/// </summary>
internal sealed class TransactionLog : IDisposable
{
    private const short FetchApi = 1;
    private const short FetchVersion = 4;
    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;
    private int _correlation;

    public TransactionLog(string bootstrap)
    {
        var first = bootstrap.Split(',')[0];
        var colon = first.LastIndexOf(':');
        _tcp = new TcpClient(first[..colon], int.Parse(first[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture)) { NoDelay = true };
        _stream = _tcp.GetStream();
    }

    /// <summary>The fate of every data record of <paramref name="topic"/>/<paramref name="partition"/> below <paramref name="end"/>, by offset.</summary>
    public Dictionary<long, RecordFate> Fates(string topic, int partition, long end, out int markers)
    {
        var fates = new Dictionary<long, RecordFate>();
        var pending = new Dictionary<long, List<long>>();
        markers = 0;
        long offset = 0;
        while (offset < end)
        {
            var batches = Fetch(topic, partition, offset);
            if (batches.Count == 0)
            {
                throw new InvalidOperationException($"{topic}/{partition}: no batch at offset {offset} below the end {end}");
            }

            foreach (var batch in batches)
            {
                if (batch.Last < offset)
                {
                    continue;
                }

                if (batch.Control)
                {
                    markers++;
                    if (pending.Remove(batch.ProducerId, out var offsets))
                    {
                        foreach (var o in offsets)
                        {
                            fates[o] = batch.Commit ? RecordFate.Committed : RecordFate.Aborted;
                        }
                    }
                }
                else
                {
                    for (var o = batch.Base; o <= batch.Last; o++)
                    {
                        if (batch.Transactional)
                        {
                            if (!pending.TryGetValue(batch.ProducerId, out var list))
                            {
                                pending[batch.ProducerId] = list = [];
                            }

                            list.Add(o);
                        }
                        else
                        {
                            fates[o] = RecordFate.NonTransactional;
                        }
                    }
                }

                offset = batch.Last + 1;
            }
        }

        foreach (var offsets in pending.Values)
        {
            foreach (var o in offsets)
            {
                fates[o] = RecordFate.NeverEnded;
            }
        }

        return fates;
    }

    private sealed record Batch(long Base, long Last, long ProducerId, bool Transactional, bool Control, bool Commit);

    private List<Batch> Fetch(string topic, int partition, long offset)
    {
        var body = new MemoryStream();
        var w = new BinaryWriterBe(body);
        w.I16(FetchApi);
        w.I16(FetchVersion);
        w.I32(++_correlation);
        w.Str("chaos-transaction-log");
        w.I32(-1); // replica id
        w.I32(0); // max wait
        w.I32(0); // min bytes
        w.I32(8 << 20); // max bytes
        w.I8(0); // read_uncommitted: everything, markers decide
        w.I32(1);
        w.Str(topic);
        w.I32(1);
        w.I32(partition);
        w.I64(offset);
        w.I32(8 << 20);

        Span<byte> size = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(size, (int)body.Length);
        _stream.Write(size);
        _stream.Write(body.GetBuffer(), 0, (int)body.Length);

        _stream.ReadExactly(size);
        var response = new byte[BinaryPrimitives.ReadInt32BigEndian(size)];
        _stream.ReadExactly(response);
        var r = new Reader(response);
        if (r.I32() != _correlation)
        {
            throw new InvalidOperationException("Fetch response out of order");
        }

        r.I32(); // throttle
        var batches = new List<Batch>();
        for (var t = r.I32(); t > 0; t--)
        {
            r.Str();
            for (var p = r.I32(); p > 0; p--)
            {
                r.I32();
                var error = r.I16();
                r.I64(); // high watermark
                r.I64(); // last stable offset
                var aborted = r.I32();
                for (var a = 0; a < aborted; a++)
                {
                    r.I64();
                    r.I64();
                }

                var length = r.I32();
                if (error != 0)
                {
                    throw new InvalidOperationException($"Fetch {topic}/{partition}@{offset}: Kafka error {error}");
                }

                var end = r.Position + Math.Max(0, length);
                while (r.Position + 61 <= end)
                {
                    var start = r.Position;
                    var baseOffset = r.I64();
                    var batchLength = r.I32();
                    if (start + 12 + batchLength > end)
                    {
                        break; // a partial batch at the end of the response
                    }

                    r.I32(); // leader epoch
                    var magic = r.I8();
                    if (magic != 2)
                    {
                        throw new InvalidOperationException($"record batch magic {magic} at {topic}/{partition}@{baseOffset}");
                    }

                    r.I32(); // crc
                    var attributes = r.I16();
                    var lastDelta = r.I32();
                    r.I64();
                    r.I64();
                    var producerId = r.I64();
                    r.I16();
                    r.I32();
                    var count = r.I32();
                    var transactional = (attributes & 0x10) != 0;
                    var control = (attributes & 0x20) != 0;
                    var commit = false;
                    if (control && count > 0)
                    {
                        // The control record's key: version (int16), type (int16: 0 ABORT, 1 COMMIT).
                        r.VarInt(); // record length
                        r.I8(); // attributes
                        r.VarInt(); // timestamp delta
                        r.VarInt(); // offset delta
                        var keyLength = (int)r.VarInt();
                        var key = r.Bytes(keyLength);
                        commit = BinaryPrimitives.ReadInt16BigEndian(key.AsSpan(2)) == 1;
                    }

                    batches.Add(new Batch(baseOffset, baseOffset + lastDelta, producerId, transactional, control, commit));
                    r.Position = start + 12 + batchLength;
                }

                r.Position = end;
            }
        }

        return batches;
    }

    public void Dispose()
    {
        _stream.Dispose();
        _tcp.Dispose();
    }

    private sealed class BinaryWriterBe(Stream stream)
    {
        public void I8(sbyte v) => stream.WriteByte((byte)v);

        public void I16(short v)
        {
            Span<byte> b = stackalloc byte[2];
            BinaryPrimitives.WriteInt16BigEndian(b, v);
            stream.Write(b);
        }

        public void I32(int v)
        {
            Span<byte> b = stackalloc byte[4];
            BinaryPrimitives.WriteInt32BigEndian(b, v);
            stream.Write(b);
        }

        public void I64(long v)
        {
            Span<byte> b = stackalloc byte[8];
            BinaryPrimitives.WriteInt64BigEndian(b, v);
            stream.Write(b);
        }

        public void Str(string s)
        {
            var bytes = Encoding.UTF8.GetBytes(s);
            I16((short)bytes.Length);
            stream.Write(bytes);
        }
    }

    private sealed class Reader(byte[] buffer)
    {
        public int Position { get; set; }

        public sbyte I8() => (sbyte)buffer[Position++];

        public short I16()
        {
            var v = BinaryPrimitives.ReadInt16BigEndian(buffer.AsSpan(Position));
            Position += 2;
            return v;
        }

        public int I32()
        {
            var v = BinaryPrimitives.ReadInt32BigEndian(buffer.AsSpan(Position));
            Position += 4;
            return v;
        }

        public long I64()
        {
            var v = BinaryPrimitives.ReadInt64BigEndian(buffer.AsSpan(Position));
            Position += 8;
            return v;
        }

        public string Str()
        {
            var length = I16();
            var s = Encoding.UTF8.GetString(buffer, Position, length);
            Position += length;
            return s;
        }

        public byte[] Bytes(int length)
        {
            var b = buffer.AsSpan(Position, length).ToArray();
            Position += length;
            return b;
        }

        /// <summary>A zig-zag varint (Kafka record fields).</summary>
        public long VarInt()
        {
            ulong raw = 0;
            var shift = 0;
            byte b;
            do
            {
                b = buffer[Position++];
                raw |= (ulong)(b & 0x7F) << shift;
                shift += 7;
            }
            while ((b & 0x80) != 0);
            return (long)(raw >> 1) ^ -(long)(raw & 1);
        }
    }
}
