namespace Streaming.Grpc.Tests.Support;

/// <summary>Waits for a condition with a deadline, instead of sleeping a fixed time.</summary>
public static class Poll
{
    public static async Task UntilAsync(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"condition not met within {timeout}");
            }

            await Task.Delay(20);
        }
    }
}
