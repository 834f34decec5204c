namespace Streaming.Grpc.Tests;

public sealed class GrpcTimeoutTests
{
    public static TheoryData<string, TimeSpan> Valid => new()
    {
        { "1H", TimeSpan.FromHours(1) },
        { "2M", TimeSpan.FromMinutes(2) },
        { "30S", TimeSpan.FromSeconds(30) },
        { "250m", TimeSpan.FromMilliseconds(250) },
        { "1500u", TimeSpan.FromMicroseconds(1500) },
        { "100n", TimeSpan.FromTicks(1) },
        { "1n", TimeSpan.FromTicks(1) },
        { "0m", TimeSpan.Zero },
        { "99999999H", TimeSpan.FromHours(99_999_999) },
        { "00000005S", TimeSpan.FromSeconds(5) },
    };

    [Theory]
    [MemberData(nameof(Valid))]
    public void Parses_every_unit(string header, TimeSpan expected)
    {
        Assert.True(GrpcTimeout.TryParse(header, out var timeout));
        Assert.Equal(expected, timeout);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("S")]
    [InlineData("10")]
    [InlineData("10s")]
    [InlineData("10h")]
    [InlineData("-1S")]
    [InlineData("1.5S")]
    [InlineData(" 1S")]
    [InlineData("123456789S")]
    [InlineData("１S")]
    public void Rejects_malformed(string? header)
    {
        Assert.False(GrpcTimeout.TryParse(header, out _));
    }

    [Theory]
    [InlineData(0.0001, "100n")]
    [InlineData(1, "1000000n")]
    [InlineData(250, "250000u")]
    [InlineData(30_000, "30000000u")]
    [InlineData(1_000_000, "1000000m")]
    public void Formats_in_the_finest_unit_that_fits(double milliseconds, string expected)
    {
        Assert.Equal(expected, GrpcTimeout.Format(TimeSpan.FromMilliseconds(milliseconds)));
    }

    [Fact]
    public void Format_round_trips_without_shortening()
    {
        foreach (var timeout in new[] { TimeSpan.FromTicks(3), TimeSpan.FromSeconds(1.2345678), TimeSpan.FromDays(3), TimeSpan.FromDays(100_000) })
        {
            Assert.True(GrpcTimeout.TryParse(GrpcTimeout.Format(timeout), out var parsed));
            Assert.True(parsed >= timeout, $"{timeout} became {parsed}");
        }
    }
}
