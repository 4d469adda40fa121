# Copyright 2026 depth_sr_ros developers
# SPDX-License-Identifier: Apache-2.0
#
# Licensed under the Apache License, Version 2.0 (the "License");
# you may not use this file except in compliance with the License.
# You may obtain a copy of the License at
#
#     http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS,
# WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
# See the License for the specific language governing permissions and
# limitations under the License.

"""
DepthSRNode: super-resolves one or more depth streams with one shared DSRNet.

Latency first: subscription callbacks only store the newest frame per stream (a frame that was
still waiting is replaced and counted as dropped) and wake a worker thread; the worker takes
every waiting frame, validates and decodes them, runs them as one batch through
`DepthSuperResolver.upsample_batch`, and publishes image + scaled CameraInfo (same stamp and
frame_id), plus the optional point cloud and colour preview. The executor never waits behind
inference, so diagnostics and parameter services stay responsive under load.

Set-up runs in the steps of a managed node: configure (read parameters, load and warm the model,
create publishers and timers), activate (subscribe, start the worker), deactivate (unsubscribe,
stop the worker, drop waiting frames) and cleanup (destroy publishers, release the model). The
plain node runs the first two in its constructor; DepthSRLifecycleNode (lifecycle_node.py) runs
each on its lifecycle transition.

Lazy processing (parameter ``lazy``, default on): a frame is neither decoded nor run through the
network while no output of its stream has a subscriber (see :meth:`_Stream.subscribers`). The
input stays subscribed while idle, unlike depth_image_proc, which unsubscribes: the first
subscriber then gets output from the very next input frame (re-subscribing would first wait for
DDS discovery and matching, and for a new CameraInfo, whereas the latest one stays cached), and
it needs no matched-event support (rclpy's publisher ``matched`` event is newer than Humble).
The price is receiving and deserialising frames that are then dropped: small beside inference
(benchmarks/lazy_cpu.py measures the node's CPU time with no subscriber, lazy on vs off).
"""
import gc
import threading
import time
import warnings

from depth_sr_ros.inference import DepthSuperResolver, ModelLoadError
from depth_sr_ros.inference.resolver import self_ensemble_caveat
from depth_sr_ros.inference.temporal import TemporalFilter
from depth_sr_ros.ros import compat, params, qos, transport, transport_profile
from depth_sr_ros.ros.camera_info import (
    expected_image_size,
    NO_INTRINSICS,
    P_FROM_K,
    scale_camera_info,
    stamp_skew_s,
)
from depth_sr_ros.ros.colorize import colorize
from depth_sr_ros.ros.conversions import (
    array_to_image,
    ImageRejected,
    mask_range,
    rgb_to_image,
    to_encoding,
    valid_mask,
)
from depth_sr_ros.ros.diagnostics import ALL_INVALID, status_message, StreamStats
from depth_sr_ros.ros.point_cloud import depth_to_xyz, xyz_to_cloud
from diagnostic_msgs.msg import DiagnosticArray
import numpy as np
from rclpy.node import Node
from sensor_msgs.msg import CameraInfo, CompressedImage, Image, PointCloud2
import torch

LOG_THROTTLE_S = 10.0


def _join(ns, name):
    return f'{ns.strip("/")}/{name}' if ns.strip('/') else name


class _Stream:
    """
    Topics, publishers, newest pending frame and latest CameraInfo of one depth sensor.

    Publishers live from configure to cleanup, the input subscriptions only while active
    (:meth:`subscribe`, :meth:`unsubscribe`). ``outputs`` holds every output publisher made by
    ``pub``: lazy processing checks all of them, so a new output needs no extra code for it.
    """

    def __init__(self, node, ns, cfg):
        self.ns = ns
        self.pending = None                 # (Image, monotonic receive time) or None
        self.info = None                    # latest input CameraInfo
        self._scaled = (None, None)         # (input info object, (scaled info, outcome))
        self.outputs = []                   # every output publisher (what lazy processing checks)
        self.sub_image = self.sub_info = None
        in_img, in_info = _join(ns, 'depth/image_raw'), _join(ns, 'depth/camera_info')
        out = lambda name: _join(ns, f'depth_sr/{name}')  # noqa: E731
        log = node.get_logger()

        def pub(msg_type, topic):
            events = qos.publisher_events(log, node.resolve_topic_name(topic))
            publisher = node.create_output_publisher(
                msg_type, topic, qos.RELIABLE_OUT, event_callbacks=events,
                qos_overriding_options=qos.OVERRIDES)
            self.outputs.append(publisher)
            return publisher

        self.pub_image = pub(Image, out('image_raw'))
        self.pub_info = pub(CameraInfo, out('camera_info'))
        self.pub_points = pub(PointCloud2, out('points')) if cfg['publish_points'] else None
        self.pub_color = pub(Image, out('colorized')) if cfg['publish_colorized'] else None
        self.pub_compressed = (pub(CompressedImage, out('image_raw' + transport.SUFFIX))
                               if cfg['output_compressed'] else None)
        self.pub_confidence = pub(Image, out('confidence')) if cfg['publish_confidence'] else None
        self.temporal = TemporalFilter()
        in_img = transport.input_topic(node, in_img, cfg['input_transport'])
        self._inputs = (in_img, in_info, transport.input_type(cfg['input_transport']))
        self.stats = StreamStats(ns or '/', node.resolve_topic_name(in_img),
                                 self.pub_image.topic_name)

    def subscribe(self, node):
        """Create the input subscriptions (activate)."""
        in_img, in_info, image_type = self._inputs
        log = node.get_logger()
        self.sub_image = node.create_subscription(
            image_type, in_img,
            lambda m: node._on_image(self, m), qos.SENSOR_IN,
            event_callbacks=qos.subscription_events(log, node.resolve_topic_name(in_img)),
            qos_overriding_options=qos.OVERRIDES)
        self.sub_info = node.create_subscription(
            CameraInfo, in_info, self._on_info, qos.SENSOR_IN,
            event_callbacks=qos.subscription_events(log, node.resolve_topic_name(in_info)),
            qos_overriding_options=qos.OVERRIDES)

    def unsubscribe(self, node):
        """Destroy the input subscriptions (deactivate); the latest CameraInfo stays cached."""
        for sub in (self.sub_image, self.sub_info):
            if sub is not None:
                node.destroy_subscription(sub)
        self.sub_image = self.sub_info = None

    def subscribers(self):
        """
        Count the subscriptions matched on all outputs.

        Polled on every input frame (cheap: a count in the middleware), so it works where
        publisher matched events do not exist (Humble).
        """
        return sum(p.get_subscription_count() for p in self.outputs)

    def _on_info(self, msg):
        self.info = msg

    def scaled_info(self, s, width, height):
        """(scaled CameraInfo, outcome) for the latest input info, cached per input message."""
        info = self.info
        if info is None:
            return None, None
        if self._scaled[0] is not info:
            self._scaled = (info, scale_camera_info(info, s, width, height))
        return self._scaled[1]


class DepthSRNode(Node):
    """The depth_sr_node. Raises ModelLoadError / ValueError at construction for bad set-ups."""

    def __init__(self, **kwargs):
        super().__init__('depth_sr_node', **kwargs)
        self._init_state()
        try:
            self._declare()
            self._configure()
            self._activate()
        except BaseException:
            super().destroy_node()  # leave nothing registered with the context
            raise

    def _init_state(self):
        self._cv = threading.Condition()
        self._stop = False
        self._worker = None
        self._processing = False            # active: subscribed, worker running
        self.resolver = None
        self.streams = []
        self._diag_pub = None
        self._own_timers = []

    def _declare(self):
        """Declare the parameters (once per node; configure reads them)."""
        self.cfg = params.declare(self)
        compat.add_parameter_callbacks(self, self._check_params, self._apply_params)

    def create_output_publisher(self, *args, **kwargs):
        """Create an output publisher (a lifecycle publisher in DepthSRLifecycleNode)."""
        return self.create_publisher(*args, **kwargs)

    def destroy_output_publisher(self, publisher):
        return self.destroy_publisher(publisher)

    def _configure(self):
        """Read parameters, load and warm the model, create the publishers and timers."""
        self.cfg = {name: self.get_parameter(name).value for name in params.names()}
        if self.cfg['torch_threads'] > 0:
            torch.set_num_threads(self.cfg['torch_threads'])
        self.resolver = DepthSuperResolver.load(
            self.cfg['model'],
            device=self.cfg['device'],
            fill_holes=self.cfg['fill_holes'],
            half=self.cfg['fp16'],
            cpu_precision=self.cfg['cpu_precision'],
            backend=self.cfg['backend'],
            edge_mode=self.cfg['edge_mode'],
        )
        self._set_self_ensemble(self.cfg['self_ensemble'])
        want = self.cfg['scale']
        if want and want != self.resolver.scale:
            raise ModelLoadError(
                f"model {self.cfg['model']!r} upscales x{self.resolver.scale} but "
                f'parameter scale={want} was requested'
            )
        self.resolver.upsample(np.full((8, 8), 1000, np.uint16))  # trace/warm up before any frame
        namespaces = list(dict.fromkeys(self.cfg['input_namespaces'])) or ['']
        self.streams = []
        for ns in namespaces:  # one by one: a failed configure cleans up the streams made
            self.streams.append(self._make_stream(ns))
        self._diag_pub = self.create_publisher(DiagnosticArray, '/diagnostics', 10)
        self._started = time.monotonic()
        self._last_log = {}
        self._own_timers = [
            self.create_timer(self.cfg['diagnostics_period'], self._publish_diagnostics),
            self.create_timer(1.0, self._check_inputs)]
        topics = ', '.join(s.stats.input_topic for s in self.streams)
        self.get_logger().info(
            f'model {self.resolver.model_id or self.cfg["model"]} x{self.resolver.scale} on '
            f'{self.resolver.device} ({self.resolver.precision}, {self.resolver.backend}); '
            f'inputs: {topics} ({qos.describe(qos.SENSOR_IN)}); {transport_profile.in_force()}')

    def _activate(self):
        """Subscribe to the inputs and start the inference worker."""
        if self._worker is not None and self._worker.is_alive():
            self._worker.join(timeout=10.0)  # a previous worker still finishing its batch
        with self._cv:
            self._stop = False
            self._processing = True
        self._started = time.monotonic()
        self._worker = threading.Thread(target=self._work, name='depth_sr_inference', daemon=True)
        self._worker.start()
        for s in self.streams:
            s.subscribe(self)

    def _deactivate(self):
        """
        Unsubscribe, let the worker finish its batch, drop waiting frames.

        The worker publishes nothing more; the model stays loaded.
        """
        with self._cv:
            self._processing = False
        self._stop_worker()
        for s in self.streams:
            s.unsubscribe(self)
        with self._cv:
            for s in self.streams:
                s.pending = None

    def _cleanup(self):
        """Destroy publishers and timers and release the model (and its CUDA memory)."""
        self._deactivate()
        for timer in self._own_timers:
            self.destroy_timer(timer)
        for s in self.streams:
            for publisher in s.outputs:
                self.destroy_output_publisher(publisher)
        if self._diag_pub is not None:
            self.destroy_publisher(self._diag_pub)
        on_cuda = self.resolver is not None and str(self.resolver.device).startswith('cuda')
        self.resolver, self.streams, self._diag_pub, self._own_timers = None, [], None, []
        gc.collect()
        if on_cuda:
            torch.cuda.empty_cache()

    def _stop_worker(self):
        with self._cv:
            self._stop = True
            self._cv.notify_all()
        worker = self._worker
        if worker is not None and worker.is_alive() and threading.current_thread() is not worker:
            worker.join(timeout=10.0)

    def _make_stream(self, ns):
        from rclpy._rclpy_pybind11 import RCLError
        from rclpy.exceptions import NameValidationException
        try:
            return _Stream(self, ns, self.cfg)
        except (NameValidationException, RCLError) as err:
            reason = str(err).split(', at ')[0]
            raise ValueError(
                f'input_namespaces entry {ns!r} does not make a valid topic name ({reason})'
            ) from None

    # -- parameters ------------------------------------------------------------------------
    def _check_params(self, changes):
        from rcl_interfaces.msg import SetParametersResult
        for p in changes:
            if p.name in params.BY_NAME:
                try:
                    params.check(p.name, p.value)
                except ValueError as err:
                    return SetParametersResult(successful=False, reason=str(err))
        return SetParametersResult(successful=True)

    def _apply_params(self, changes):
        for p in changes:
            if p.name in self.cfg:
                self.cfg[p.name] = p.value
                if self.resolver is None:  # unconfigured: configure reads the parameters
                    continue
                if p.name == 'fill_holes':
                    self.resolver.fill_holes = float(p.value)
                elif p.name == 'self_ensemble':
                    self._set_self_ensemble(p.value)
                elif p.name == 'edge_mode':
                    self.resolver.edge_mode = p.value
                elif p.name == 'temporal_filter':
                    for s in self.streams:
                        s.temporal.reset()

    def _set_self_ensemble(self, views):
        """Set the resolver's views; its caveat (if any) goes to the ROS log, not stderr."""
        with warnings.catch_warnings():
            warnings.simplefilter('ignore', UserWarning)
            self.resolver.self_ensemble = views
        caveat = self_ensemble_caveat(self.resolver.metadata, views)
        if caveat:
            self.get_logger().warning(caveat)

    # -- executor side: store newest, wake the worker ------------------------------------------
    def _on_image(self, stream, msg):
        if self.cfg['lazy'] and not stream.subscribers():
            stream.stats.on_input(False)
            stream.stats.on_skipped_idle()
            return
        with self._cv:
            if not self._processing:  # a callback that raced with deactivate
                return
            replaced = stream.pending is not None
            stream.pending = (msg, time.monotonic())
            self._cv.notify()
        stream.stats.on_input(replaced)

    def _work(self):
        while True:
            with self._cv:
                while not self._stop and not any(s.pending for s in self.streams):
                    self._cv.wait(0.5)
                if self._stop:
                    return
                batch = [(s, s.pending[0]) for s in self.streams if s.pending]
                for s in self.streams:
                    s.pending = None
            try:
                self._process(batch)
            except Exception as err:  # never let one frame kill the worker
                if not self._stop:
                    self.get_logger().error(f'processing failed: {type(err).__name__}: {err}')

    # -- worker side ---------------------------------------------------------------------------
    def _log_once(self, key, text):
        now = time.monotonic()
        if now - self._last_log.get(key, -1e9) >= LOG_THROTTLE_S:
            self._last_log[key] = now
            self.get_logger().warning(text)

    def _decode(self, stream, msg):
        """(depth, msg); a compressed msg is replaced by a Frame (header, encoding, size)."""
        try:
            depth, msg = transport.decode(msg, self.cfg['max_input_pixels'])
        except ImageRejected as err:
            stream.stats.on_rejected(err.cause)
            self._log_once((stream.ns, err.cause),
                           f'{stream.stats.input_topic}: dropped frame ({err.cause}): {err}')
            return None, msg
        return mask_range(depth, self.cfg['min_depth'], self.cfg['max_depth']), msg

    def _process(self, batch):
        frames = []
        for stream, msg in batch:
            depth, msg = self._decode(stream, msg)
            if depth is None:
                continue
            if not valid_mask(depth).any():
                stream.stats.on_all_invalid()
                self._log_once((stream.ns, ALL_INVALID), f'{stream.stats.input_topic}: frame has '
                               'no valid depth; publishing an all-invalid output')
            frames.append((stream, msg, depth))
        if not frames:
            return
        if len(frames) > 1:
            for stream, _, _ in frames:
                stream.stats.on_batched()
        t0 = time.perf_counter()
        outputs = self.resolver.upsample_batch([d for _, _, d in frames])
        inference_ms = (time.perf_counter() - t0) * 1e3
        for (stream, msg, depth), sr in zip(frames, outputs):
            if self._stop:
                return
            if self.cfg['temporal_filter']:
                sr = stream.temporal.update(sr)
            self._publish(stream, msg, sr, inference_ms, depth)

    def _publish(self, stream, msg, sr, inference_ms, depth=None):
        encoding = (
            msg.encoding if self.cfg['output_encoding'] == 'same' else self.cfg['output_encoding']
        )
        if encoding == 'mono16':
            encoding = '16UC1'  # same bytes; the name depth_image_proc and RViz DepthCloud expect
        out = to_encoding(sr, encoding)
        image = array_to_image(out, encoding, msg.header)
        info, outcome = stream.scaled_info(self.resolver.scale, msg.width, msg.height)
        if info is None:
            self._log_once(
                (stream.ns, 'no_info'),
                f'{stream.stats.input_topic}: no CameraInfo '
                f'received on {stream.sub_info.topic_name} yet; publishing images without it',
            )
        else:
            if outcome in (P_FROM_K, NO_INTRINSICS):
                self._log_once((stream.ns, outcome), {
                    P_FROM_K: f'{stream.sub_info.topic_name}: P is all zeros; derived it from K',
                    NO_INTRINSICS: f'{stream.sub_info.topic_name}: K and P are all zeros; passing '
                                   'CameraInfo through with scaled sizes only'}[outcome])
            if expected_image_size(stream.info) != (msg.width, msg.height):
                stream.stats.on_info_size_mismatch()
                self._log_once(
                    (stream.ns, 'info_size'),
                    f'{stream.sub_info.topic_name}: CameraInfo '
                    f'describes {expected_image_size(stream.info)} but images are '
                    f'{msg.width}x{msg.height}; publishing it scaled as received '
                    '(RViz/depth_image_proc will reject the pair)',
                )
            skew, limit = stamp_skew_s(stream.info, msg), self.cfg['camera_info_max_stamp_skew']
            if limit and skew > limit:
                stream.stats.on_info_stamp_skew()
                self._log_once((stream.ns, 'info_stamp'), f'{stream.sub_info.topic_name}: '
                               f'CameraInfo stamped {skew:.3f} s from its image (camera_info_max_'
                               f'stamp_skew={limit:g}); a static or stale camera_info publisher? '
                               "Publishing it with the image's stamp")
            info.header = msg.header
            # CameraInfo first, then the image: a consumer that takes "the latest CameraInfo" when
            # an image arrives (and message_filters' exact-time sync alike) finds its pair ready.
            stream.pub_info.publish(info)
        stream.pub_image.publish(image)
        if self._wanted(stream.pub_compressed):
            stream.pub_compressed.publish(
                transport.compressed_message(out, encoding, msg.header, self.cfg))
        if self._wanted(stream.pub_points) and info is not None and outcome != NO_INTRINSICS:
            stream.pub_points.publish(xyz_to_cloud(depth_to_xyz(out, info), msg.header))
        if self._wanted(stream.pub_confidence) and depth is not None:
            conf = self.resolver.confidence(depth, sr)
            stream.pub_confidence.publish(array_to_image(conf, '32FC1', msg.header))
        if self._wanted(stream.pub_color):
            rgb = colorize(out, self.cfg['colorized_min_depth'], self.cfg['colorized_max_depth'])
            stream.pub_color.publish(rgb_to_image(rgb, msg.header))
        latency_ms = (self.get_clock().now().nanoseconds
                      - (msg.header.stamp.sec * 10**9 + msg.header.stamp.nanosec)) / 1e6
        stream.stats.on_published(inference_ms, latency_ms, info is not None)

    def _wanted(self, publisher):
        """Tell whether an optional output is computed: when enabled and (lazy) subscribed."""
        return publisher is not None and (not self.cfg['lazy']
                                          or publisher.get_subscription_count() > 0)

    def idle_reason(self, stream):
        """Why ``stream`` runs no inference now, or None when it does (for /diagnostics)."""
        if not self._processing:
            return 'inactive: not subscribed to the input (lifecycle state)'
        if self.cfg['lazy'] and not stream.subscribers():
            return ('idle: no subscriber on ' + ', '.join(p.topic_name for p in stream.outputs)
                    + ' (lazy: true)')
        return None

    # -- timers --------------------------------------------------------------------------------
    def _publish_diagnostics(self):
        arr = DiagnosticArray()
        arr.header.stamp = self.get_clock().now().to_msg()
        for s in self.streams:
            idle = self.idle_reason(s)
            arr.status.append(status_message(
                self.get_fully_qualified_name(), s.stats,
                {'precision': self.resolver.precision, 'backend': self.resolver.backend,
                 'lazy': self.cfg['lazy'], 'output_subscribers': s.subscribers(),
                 **s.stats.report()},
                self.resolver.model_id or str(self.cfg['model']), str(self.resolver.device),
                s.stats.seconds_without_input(self._started) if self._processing else 0.0,
                self.cfg['no_input_warning'], idle=idle))
        self._diag_pub.publish(arr)

    def _check_inputs(self):
        if not self._processing:
            return
        limit = self.cfg['no_input_warning']
        for s in self.streams:
            idle = s.stats.seconds_without_input(self._started)
            if idle < limit:
                continue
            key = (s.ns, 'no_input')
            now = time.monotonic()
            if now - self._last_log.get(key, -1e9) >= max(limit, LOG_THROTTLE_S):
                self._last_log[key] = now
                n = self.count_publishers(s.stats.input_topic)
                hint = ('check that their QoS is compatible and that they publish'
                        if n else 'check the topic name / remapping')
                self.get_logger().warning(
                    f'no image on {s.stats.input_topic} for {idle:.0f} s (subscribed with '
                    f'{qos.describe(qos.SENSOR_IN)}; {n} publisher(s) found: {hint})')

    def destroy_node(self):
        self._stop_worker()
        return super().destroy_node()
