"""DepthSRNode: super-resolves one or more depth streams with one shared DSRNet.

Latency first: subscription callbacks only store the newest frame per stream (a frame that was
still waiting is replaced and counted as dropped) and wake a worker thread; the worker takes
every waiting frame, validates and decodes them, runs them as one batch through
`DepthSuperResolver.upsample_batch`, and publishes image + scaled CameraInfo (same stamp and
frame_id), plus the optional point cloud and colour preview. The executor never waits behind
inference, so diagnostics and parameter services stay responsive under load.
"""
import threading
import time
import warnings

import numpy as np
import torch
from diagnostic_msgs.msg import DiagnosticArray
from rclpy.node import Node
from sensor_msgs.msg import CameraInfo, Image, PointCloud2

from depth_sr_ros.inference import DepthSuperResolver, ModelLoadError
from depth_sr_ros.inference.resolver import self_ensemble_caveat
from depth_sr_ros.inference.temporal import TemporalFilter
from depth_sr_ros.ros import params, qos
from depth_sr_ros.ros.camera_info import NO_INTRINSICS, P_FROM_K, expected_image_size, scale_camera_info
from depth_sr_ros.ros.colorize import colorize
from depth_sr_ros.ros.conversions import (ImageRejected, array_to_image, image_to_array, mask_range,
                                          rgb_to_image, to_encoding, valid_mask)
from depth_sr_ros.ros.diagnostics import ALL_INVALID, StreamStats, status_message
from depth_sr_ros.ros.point_cloud import depth_to_xyz, xyz_to_cloud

LOG_THROTTLE_S = 10.0


def _join(ns, name):
    return f'{ns.strip("/")}/{name}' if ns.strip('/') else name


class _Stream:
    """Topics, publishers, newest pending frame and latest CameraInfo of one depth sensor."""

    def __init__(self, node, ns, cfg):
        self.ns = ns
        self.pending = None                 # (Image, monotonic receive time) or None
        self.info = None                    # latest input CameraInfo
        self._scaled = (None, None)         # (input info object, (scaled info, outcome))
        in_img, in_info = _join(ns, 'depth/image_raw'), _join(ns, 'depth/camera_info')
        out = lambda name: _join(ns, f'depth_sr/{name}')  # noqa: E731
        log = node.get_logger()

        def pub(msg_type, topic):
            events = qos.publisher_events(log, node.resolve_topic_name(topic))
            return node.create_publisher(msg_type, topic, qos.RELIABLE_OUT, event_callbacks=events,
                                         qos_overriding_options=qos.OVERRIDES)

        self.pub_image = pub(Image, out('image_raw'))
        self.pub_info = pub(CameraInfo, out('camera_info'))
        self.pub_points = pub(PointCloud2, out('points')) if cfg['publish_points'] else None
        self.pub_color = pub(Image, out('colorized')) if cfg['publish_colorized'] else None
        self.pub_confidence = pub(Image, out('confidence')) if cfg['publish_confidence'] else None
        self.temporal = TemporalFilter()
        self.sub_image = node.create_subscription(
            Image, in_img, lambda m: node._on_image(self, m), qos.SENSOR_IN,
            event_callbacks=qos.subscription_events(log, node.resolve_topic_name(in_img)),
            qos_overriding_options=qos.OVERRIDES)
        self.sub_info = node.create_subscription(
            CameraInfo, in_info, self._on_info, qos.SENSOR_IN,
            event_callbacks=qos.subscription_events(log, node.resolve_topic_name(in_info)),
            qos_overriding_options=qos.OVERRIDES)
        self.stats = StreamStats(ns or '/', self.sub_image.topic_name, self.pub_image.topic_name)

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
        self._cv = threading.Condition()
        self._stop = False
        self._worker = None
        try:
            self._setup()
        except BaseException:
            super().destroy_node()  # leave nothing registered with the context
            raise

    def _setup(self):
        self.cfg = params.declare(self)
        if self.cfg['torch_threads'] > 0:
            torch.set_num_threads(self.cfg['torch_threads'])
        self.resolver = DepthSuperResolver.load(self.cfg['model'], device=self.cfg['device'],
                                                fill_holes=self.cfg['fill_holes'], half=self.cfg['fp16'],
                                                cpu_precision=self.cfg['cpu_precision'],
                                                edge_mode=self.cfg['edge_mode'])
        self._set_self_ensemble(self.cfg['self_ensemble'])
        want = self.cfg['scale']
        if want and want != self.resolver.scale:
            raise ModelLoadError(f"model {self.cfg['model']!r} upscales x{self.resolver.scale} but "
                                 f'parameter scale={want} was requested')
        self.resolver.upsample(np.full((8, 8), 1000, np.uint16))  # trace/warm up before any frame
        namespaces = list(dict.fromkeys(self.cfg['input_namespaces'])) or ['']
        self.streams = [self._make_stream(ns) for ns in namespaces]
        self.add_on_set_parameters_callback(self._check_params)
        self.add_post_set_parameters_callback(self._apply_params)
        self._diag_pub = self.create_publisher(DiagnosticArray, '/diagnostics', 10)
        self._started = time.monotonic()
        self._last_log = {}
        self._worker = threading.Thread(target=self._work, name='depth_sr_inference', daemon=True)
        self._worker.start()
        self.create_timer(self.cfg['diagnostics_period'], self._publish_diagnostics)
        self.create_timer(1.0, self._check_inputs)
        topics = ', '.join(s.stats.input_topic for s in self.streams)
        self.get_logger().info(
            f'model {self.resolver.model_id or self.cfg["model"]} x{self.resolver.scale} on '
            f'{self.resolver.device} ({self.resolver.precision}); inputs: {topics} '
            f'({qos.describe(qos.SENSOR_IN)})')

    def _make_stream(self, ns):
        from rclpy._rclpy_pybind11 import RCLError
        from rclpy.exceptions import NameValidationException
        try:
            return _Stream(self, ns, self.cfg)
        except (NameValidationException, RCLError) as err:
            reason = str(err).split(', at ')[0]
            raise ValueError(f'input_namespaces entry {ns!r} does not make a valid topic name ({reason})') from None

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
        with self._cv:
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
        try:
            depth = image_to_array(msg, self.cfg['max_input_pixels'])
        except ImageRejected as err:
            stream.stats.on_rejected(err.cause)
            self._log_once((stream.ns, err.cause),
                           f'{stream.stats.input_topic}: dropped frame ({err.cause}): {err}')
            return None
        return mask_range(depth, self.cfg['min_depth'], self.cfg['max_depth'])

    def _process(self, batch):
        frames = []
        for stream, msg in batch:
            depth = self._decode(stream, msg)
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
        encoding = msg.encoding if self.cfg['output_encoding'] == 'same' else self.cfg['output_encoding']
        if encoding == 'mono16':
            encoding = '16UC1'  # same bytes; the name depth_image_proc and RViz DepthCloud expect
        out = to_encoding(sr, encoding)
        image = array_to_image(out, encoding, msg.header)
        info, outcome = stream.scaled_info(self.resolver.scale, msg.width, msg.height)
        if info is None:
            self._log_once((stream.ns, 'no_info'), f'{stream.stats.input_topic}: no CameraInfo '
                           f'received on {stream.sub_info.topic_name} yet; publishing images without it')
        else:
            if outcome in (P_FROM_K, NO_INTRINSICS):
                self._log_once((stream.ns, outcome), {
                    P_FROM_K: f'{stream.sub_info.topic_name}: P is all zeros; derived it from K',
                    NO_INTRINSICS: f'{stream.sub_info.topic_name}: K and P are all zeros; passing '
                                   'CameraInfo through with scaled sizes only'}[outcome])
            if expected_image_size(stream.info) != (msg.width, msg.height):
                stream.stats.on_info_size_mismatch()
                self._log_once((stream.ns, 'info_size'), f'{stream.sub_info.topic_name}: CameraInfo '
                               f'describes {expected_image_size(stream.info)} but images are '
                               f'{msg.width}x{msg.height}; publishing it scaled as received '
                               '(RViz/depth_image_proc will reject the pair)')
            info.header = msg.header
            # CameraInfo first, then the image: a consumer that takes "the latest CameraInfo" when
            # an image arrives (and message_filters' exact-time sync alike) finds its pair ready.
            stream.pub_info.publish(info)
        stream.pub_image.publish(image)
        if stream.pub_points is not None and info is not None and outcome != NO_INTRINSICS:
            stream.pub_points.publish(xyz_to_cloud(depth_to_xyz(out, info), msg.header))
        if stream.pub_confidence is not None and depth is not None:
            conf = self.resolver.confidence(depth, sr)
            stream.pub_confidence.publish(array_to_image(conf, '32FC1', msg.header))
        if stream.pub_color is not None:
            rgb = colorize(out, self.cfg['colorized_min_depth'], self.cfg['colorized_max_depth'])
            stream.pub_color.publish(rgb_to_image(rgb, msg.header))
        latency_ms = (self.get_clock().now().nanoseconds
                      - (msg.header.stamp.sec * 10**9 + msg.header.stamp.nanosec)) / 1e6
        stream.stats.on_published(inference_ms, latency_ms, info is not None)

    # -- timers --------------------------------------------------------------------------------
    def _publish_diagnostics(self):
        arr = DiagnosticArray()
        arr.header.stamp = self.get_clock().now().to_msg()
        for s in self.streams:
            arr.status.append(status_message(
                self.get_fully_qualified_name(), s.stats,
                {'precision': self.resolver.precision, **s.stats.report()},
                self.resolver.model_id or str(self.cfg['model']), str(self.resolver.device),
                s.stats.seconds_without_input(self._started), self.cfg['no_input_warning']))
        self._diag_pub.publish(arr)

    def _check_inputs(self):
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
        with self._cv:
            self._stop = True
            self._cv.notify_all()
        if self._worker is not None and self._worker.is_alive() and threading.current_thread() is not self._worker:
            self._worker.join(timeout=10.0)
        return super().destroy_node()
