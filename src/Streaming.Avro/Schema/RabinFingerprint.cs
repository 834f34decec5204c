namespace Streaming.Avro;

/// <summary>CRC-64-AVRO, the 64-bit Rabin fingerprint the Avro specification defines for schema fingerprints.</summary>
internal static class RabinFingerprint
{
    // The spec's EMPTY constant: the fingerprint of zero bytes and the polynomial of the table.
    private const ulong Empty = 0xc15d213aa4d7a795UL;

    private static readonly ulong[] Table = BuildTable();

    public static long Compute(ReadOnlySpan<byte> data)
    {
        ulong fp = Empty;
        foreach (byte b in data)
        {
            fp = (fp >> 8) ^ Table[(int)(fp ^ b) & 0xff];
        }

        return unchecked((long)fp);
    }

    private static ulong[] BuildTable()
    {
        var table = new ulong[256];
        for (int i = 0; i < 256; i++)
        {
            ulong fp = (ulong)i;
            for (int j = 0; j < 8; j++)
            {
                fp = (fp >> 1) ^ (Empty & (0UL - (fp & 1UL)));
            }

            table[i] = fp;
        }

        return table;
    }
}
