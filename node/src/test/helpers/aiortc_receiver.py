"""A WebRTC video receiver built on aiortc, driven by a test over JSON lines.

It talks JSON lines: on stdout first {"type": "capabilities", ...} (what
aiortc can receive, for the test's consume()), then it reads
{"type": "offer", "sdp": ...} from stdin, prints {"type": "answer", "sdp": ...}
and from then on one {"type": "second", ...} line per second: video frames
decoded in that second, the last frame's size, bytes received over the
transport (RTP, RTCP and DTLS, as on the wire) and the REMB values aiortc sent.
It stops when stdin closes or on SIGTERM.

aiortc receives with abs-send-time and answers with REMB, never transport-cc:
the REMB-only receiver the test needs.
"""

import asyncio
import json
import signal
import sys
import time

import aioice.ice
from aiortc import (
    RTCConfiguration,
    RTCPeerConnection,
    RTCRtpReceiver,
    RTCSessionDescription,
)
from aiortc.codecs import CODECS
from aiortc.mediastreams import MediaStreamError
from aiortc.rtp import RTCP_PSFB_APP, RtcpPsfbPacket, unpack_remb_fci

# aioice leaves 127.0.0.1 out of its host candidates; the test runs on
# loopback only, so it is the one address to gather.
aioice.ice.get_host_addresses = lambda use_ipv4, use_ipv6: ["127.0.0.1"]

remb_sent = []
original_send_rtcp = RTCRtpReceiver._send_rtcp


async def send_rtcp_and_record_remb(self, packet):
    """aiortc has no event for the REMB it sends: note each on its way out."""
    if isinstance(packet, RtcpPsfbPacket) and packet.fmt == RTCP_PSFB_APP:
        try:
            remb_sent.append(unpack_remb_fci(packet.fci)[0])
        except ValueError:
            pass
    await original_send_rtcp(self, packet)


RTCRtpReceiver._send_rtcp = send_rtcp_and_record_remb


def emit(message):
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def capabilities():
    caps = RTCRtpReceiver.getCapabilities("video")
    # The capabilities leave out RTCP feedback; the codec list aiortc answers
    # from has it.
    return {
        "type": "capabilities",
        "codecs": [
            {
                "mimeType": codec.mimeType,
                "clockRate": codec.clockRate,
                "rtcpFeedback": [
                    {"type": fb.type, "parameter": fb.parameter or ""}
                    for fb in (codec.rtcpFeedback or [])
                ],
            }
            for codec in CODECS["video"]
        ],
        "headerExtensions": [ext.uri for ext in caps.headerExtensions],
    }


async def read_line(reader):
    line = await reader.readline()
    if not line:
        raise EOFError("stdin closed")
    return json.loads(line)


async def consume_frames(track, counters):
    try:
        while True:
            frame = await track.recv()
            counters["frames"] += 1
            counters["width"] = frame.width
            counters["height"] = frame.height
    except MediaStreamError:
        pass


async def transport_bytes_received(pc):
    report = await pc.getStats()
    return sum(
        getattr(stats, "bytesReceived", 0)
        for stats in report.values()
        if stats.type == "transport"
    )


async def report_every_second(pc, counters):
    index = 0
    last_bytes = 0
    start = time.monotonic()
    while True:
        index += 1
        # Ticks on a fixed grid so a slow iteration does not stretch the next.
        await asyncio.sleep(max(0.0, start + index - time.monotonic()))
        total = await transport_bytes_received(pc)
        emit(
            {
                "type": "second",
                "index": index,
                "frames": counters["frames"],
                "width": counters["width"],
                "height": counters["height"],
                "bytes": total - last_bytes,
                "remb": list(remb_sent),
                "connectionState": pc.connectionState,
            }
        )
        last_bytes = total
        counters["frames"] = 0
        remb_sent.clear()


async def main():
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(
        lambda: asyncio.StreamReaderProtocol(reader), sys.stdin
    )

    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stop.set)

    # No STUN server: aiortc's default one is on the Internet.
    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    counters = {"frames": 0, "width": 0, "height": 0}
    tasks = []

    @pc.on("track")
    def on_track(track):
        if track.kind == "video":
            tasks.append(asyncio.ensure_future(consume_frames(track, counters)))

    emit(capabilities())

    try:
        offer = await read_line(reader)
        await pc.setRemoteDescription(RTCSessionDescription(offer["sdp"], "offer"))
        await pc.setLocalDescription(await pc.createAnswer())
        emit({"type": "answer", "sdp": pc.localDescription.sdp})

        tasks.append(asyncio.ensure_future(report_every_second(pc, counters)))

        # Anything more on stdin is ignored; its end means stop.
        async def drain_stdin():
            while await reader.readline():
                pass
            stop.set()

        tasks.append(asyncio.ensure_future(drain_stdin()))
        await stop.wait()
    except EOFError:
        pass
    finally:
        for task in tasks:
            task.cancel()
        await pc.close()


if __name__ == "__main__":
    asyncio.run(main())
