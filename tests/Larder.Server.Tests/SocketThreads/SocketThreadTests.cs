using System.Net;
using System.Net.Sockets;
using Larder.Server.SocketThreads;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Larder.Server.Tests.SocketThreads;

public sealed class SocketThreadTests
{
    [Fact]
    public async Task Work_asked_for_on_a_socket_thread_runs_on_the_thread_pool_with_the_connection_inline_no_more()
    {
        using var pair = await SocketPair.ConnectAsync();
        InlineCompletions.TrySet(pair.Server, inline: true);
        var http = Request(pair.Server, "HTTP/1.1", body: [1, 2, 3]);
        bool? ranOnPool = null;
        byte[]? read = null;

        await OnOwnThread(() => SocketThread.RunElsewhere(http, async context =>
        {
            ranOnPool = Thread.CurrentThread.IsThreadPoolThread;
            using var copy = new MemoryStream();
            await context.Request.Body.CopyToAsync(copy);
            read = copy.ToArray();
        }));

        Assert.True(ranOnPool);
        Assert.False(InlineCompletions.TryGet(pair.Server));
        Assert.IsType<ThreadPoolBodyStream>(http.Request.Body);
        Assert.Equal([1, 2, 3], read);
    }

    [Fact]
    public async Task Work_asked_for_on_the_thread_pool_runs_at_once_and_leaves_the_connection_as_it_is()
    {
        using var pair = await SocketPair.ConnectAsync();
        InlineCompletions.TrySet(pair.Server, inline: true);
        var http = Request(pair.Server, "HTTP/1.1", body: [1]);
        var body = http.Request.Body;
        int? thread = null;

        await Task.Run(async () =>
        {
            var caller = Environment.CurrentManagedThreadId;
            await SocketThread.RunElsewhere(http, _ =>
            {
                thread = Environment.CurrentManagedThreadId - caller;
                return Task.CompletedTask;
            });
        });

        Assert.Equal(0, thread);
        Assert.True(InlineCompletions.TryGet(pair.Server));
        Assert.Same(body, http.Request.Body);
    }

    [Fact]
    public async Task A_body_read_that_completes_on_another_thread_resumes_on_the_thread_pool()
    {
        var inner = new CompletedElsewhereStream();
        var stream = new ThreadPoolBodyStream(inner);
        var buffer = new byte[4];

        var read = await OnOwnThread(async () =>
        {
            var count = await stream.ReadAsync(buffer);
            return (count, Thread.CurrentThread.IsThreadPoolThread);
        });

        Assert.Equal((4, true), read);
        Assert.Equal([7, 7, 7, 7], buffer);
    }

    [Theory]
    [InlineData("HTTP/1.1", false, true)]
    [InlineData("HTTP/1.0", false, true)]
    [InlineData("HTTP/2", false, false)]
    [InlineData("HTTP/1.1", true, false)]
    public async Task After_a_request_the_gate_reads_the_next_on_the_socket_thread_only_for_plain_http1(string protocol, bool https, bool inline)
    {
        using var pair = await SocketPair.ConnectAsync();
        var http = Request(pair.Server, protocol, body: []);
        http.Request.IsHttps = https;
        var answered = new TaskCompletionSource();
        var gate = new SocketThreadGate(_ => answered.Task);

        var passed = gate.InvokeAsync(http);
        Assert.False(InlineCompletions.TryGet(pair.Server));
        answered.SetResult();
        await passed;

        Assert.Equal(inline, InlineCompletions.TryGet(pair.Server));
    }

    private static DefaultHttpContext Request(Socket socket, string protocol, byte[] body)
    {
        var http = new DefaultHttpContext();
        http.Features.Set<IConnectionSocketFeature>(new SocketFeature(socket));
        http.Features.Set<IHttpRequestBodyDetectionFeature>(new BodyDetection(body.Length > 0));
        http.Request.Protocol = protocol;
        http.Request.Body = new MemoryStream(body);
        return http;
    }

    /// <summary>Runs <paramref name="action"/> on a thread outside the pool, as the runtime's epoll thread is.</summary>
    private static Task<T> OnOwnThread<T>(Func<Task<T>> action)
    {
        var done = new TaskCompletionSource<Task<T>>();
        var thread = new Thread(() => done.SetResult(action()));
        thread.Start();
        return done.Task.Unwrap();
    }

    private static Task OnOwnThread(Func<Task> action) => OnOwnThread(async () =>
    {
        await action();
        return true;
    });

    private sealed class SocketFeature(Socket socket) : IConnectionSocketFeature
    {
        public Socket Socket => socket;
    }

    private sealed class BodyDetection(bool canHaveBody) : IHttpRequestBodyDetectionFeature
    {
        public bool CanHaveBody => canHaveBody;
    }

    /// <summary>A read that completes on a thread of its own (not the pool), as a socket read does on the epoll thread.</summary>
    private sealed class CompletedElsewhereStream : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var completion = new TaskCompletionSource<int>();
            new Thread(() =>
            {
                Thread.Sleep(20);
                buffer.Span.Fill(7);
                completion.SetResult(buffer.Length);
            }).Start();
            return new ValueTask<int>(completion.Task);
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override void Flush() => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
