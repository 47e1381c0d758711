<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>dhstudio</name>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Export</source>
        <translation>导出(&amp;E)</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>&amp;Live</source>
        <translation>实时(&amp;L)</translation>
    </message>
    <message>
        <source>&amp;New Project…</source>
        <translation>新建项目(&amp;N)…</translation>
    </message>
    <message>
        <source>&amp;Open Project…</source>
        <translation>打开项目(&amp;O)…</translation>
    </message>
    <message>
        <source>Open &amp;Recent</source>
        <translation>最近打开(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>Open &amp;Exports Folder</source>
        <translation>打开导出文件夹(&amp;E)</translation>
    </message>
    <message>
        <source>&amp;Doctor: Check This Machine…</source>
        <translation>诊断：检查本机(&amp;D)…</translation>
    </message>
    <message>
        <source>&amp;About Digital Human Studio</source>
        <translation>关于数字人工作室(&amp;A)</translation>
    </message>
    <message>
        <source>Digital Human Studio</source>
        <translation>数字人工作室</translation>
    </message>
    <message>
        <source>&lt;h2&gt;Digital Human Studio&lt;/h2&gt;&lt;p&gt;Create a project, import a talking-head video, train an avatar and drive it live.&lt;/p&gt;</source>
        <translation>&lt;h2&gt;数字人工作室&lt;/h2&gt;&lt;p&gt;创建项目，导入说话人视频，训练数字人形象并实时驱动它。&lt;/p&gt;</translation>
    </message>
    <message>
        <source>New Project…</source>
        <translation>新建项目…</translation>
    </message>
    <message>
        <source>Open Project…</source>
        <translation>打开项目…</translation>
    </message>
    <message>
        <source>Project</source>
        <translation>项目</translation>
    </message>
    <message>
        <source>Jobs</source>
        <translation>任务</translation>
    </message>
    <message>
        <source>Details</source>
        <translation>详情</translation>
    </message>
    <message>
        <source>No project open</source>
        <translation>未打开项目</translation>
    </message>
    <message>
        <source>No job running</source>
        <translation>没有正在运行的任务</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>暂停</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Live</source>
        <translation>实时驱动</translation>
    </message>
    <message>
        <source>&amp;Start / Stop Live</source>
        <translation>开始/停止实时驱动(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>设置(&amp;S)…</translation>
    </message>
    <message>
        <source>User &amp;Guide</source>
        <translation>用户指南(&amp;G)</translation>
    </message>
    <message>
        <source>Avatar and input</source>
        <translation>形象与输入</translation>
    </message>
    <message>
        <source>Avatar</source>
        <translation>形象</translation>
    </message>
    <message>
        <source>Input</source>
        <translation>输入</translation>
    </message>
    <message>
        <source>Backend</source>
        <translation>推理后端</translation>
    </message>
    <message>
        <source>Microphone</source>
        <translation>麦克风</translation>
    </message>
    <message>
        <source>Audio file</source>
        <translation>音频文件</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <source>Record to mp4</source>
        <translation>录制为 mp4</translation>
    </message>
    <message>
        <source>Monitor audio on the speakers</source>
        <translation>在扬声器上监听音频</translation>
    </message>
    <message>
        <source>Start</source>
        <translation>开始</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>Level</source>
        <translation>电平</translation>
    </message>
    <message>
        <source>Controls (apply on the next frame)</source>
        <translation>控制（下一帧生效）</translation>
    </message>
    <message>
        <source>Mouth opening</source>
        <translation>张嘴幅度</translation>
    </message>
    <message>
        <source>Smoothing</source>
        <translation>平滑</translation>
    </message>
    <message>
        <source>Paste-back feather</source>
        <translation>贴回羽化</translation>
    </message>
    <message>
        <source>Extra lookahead (frames)</source>
        <translation>额外前瞻（帧）</translation>
    </message>
    <message>
        <source>Performance</source>
        <translation>性能</translation>
    </message>
    <message>
        <source>Fit to panel</source>
        <translation>适应面板</translation>
    </message>
    <message>
        <source>The avatar appears here when the session starts.</source>
        <translation>会话开始后，形象将显示在这里。</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <source>Theme</source>
        <translation>主题</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <source>Default device</source>
        <translation>默认设备</translation>
    </message>
    <message>
        <source>Live preview rate</source>
        <translation>实时预览帧率</translation>
    </message>
    <message>
        <source>Run</source>
        <translation>运行</translation>
    </message>
    <message>
        <source>Output folder</source>
        <translation>输出文件夹</translation>
    </message>
    <message>
        <source>Frame</source>
        <translation>帧</translation>
    </message>
    <message>
        <source>Replace the folder if it exists</source>
        <translation>文件夹已存在时替换</translation>
    </message>
    <message>
        <source>Options</source>
        <translation>选项</translation>
    </message>
    <message>
        <source>Open folder</source>
        <translation>打开文件夹</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <source>Capability</source>
        <translation>功能</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Detail</source>
        <translation>详情</translation>
    </message>
    <message>
        <source>Doctor: what this machine can do</source>
        <translation>诊断：本机能做什么</translation>
    </message>
    <message>
        <source>The interface language changes at once; some texts follow after a restart.</source>
        <translation>界面语言立即切换；部分文字在重启后更新。</translation>
    </message>
    <message>
        <source>Light</source>
        <translation>浅色</translation>
    </message>
    <message>
        <source>Dark</source>
        <translation>深色</translation>
    </message>
    <message>
        <source>Export as ply…</source>
        <translation>导出为 ply…</translation>
    </message>
    <message>
        <source>Export as ply</source>
        <translation>导出为 ply</translation>
    </message>
    <message>
        <source>Export as onnx…</source>
        <translation>导出为 onnx…</translation>
    </message>
    <message>
        <source>Export as onnx</source>
        <translation>导出为 onnx</translation>
    </message>
    <message>
        <source>Export as onnx-int8…</source>
        <translation>导出为 onnx-int8…</translation>
    </message>
    <message>
        <source>Export as onnx-int8</source>
        <translation>导出为 onnx-int8</translation>
    </message>
    <message>
        <source>Export as torchscript…</source>
        <translation>导出为 torchscript…</translation>
    </message>
    <message>
        <source>Export as torchscript</source>
        <translation>导出为 torchscript</translation>
    </message>
    <message>
        <source>Export as bundle…</source>
        <translation>导出为 bundle…</translation>
    </message>
    <message>
        <source>Export as bundle</source>
        <translation>导出为 bundle</translation>
    </message>
    <message>
        <source>Media</source>
        <translation>媒体</translation>
    </message>
    <message>
        <source>Clip Viewer</source>
        <translation>片段查看</translation>
    </message>
    <message>
        <source>Training</source>
        <translation>训练</translation>
    </message>
    <message>
        <source>Runs</source>
        <translation>运行记录</translation>
    </message>
    <message>
        <source>Render &amp;&amp; Play</source>
        <translation>渲染与播放</translation>
    </message>
    <message>
        <source>Curves</source>
        <translation>曲线</translation>
    </message>
    <message>
        <source>Samples</source>
        <translation>样本</translation>
    </message>
    <message>
        <source>Attention</source>
        <translation>注意力</translation>
    </message>
    <message>
        <source>Viewport</source>
        <translation>视口</translation>
    </message>
    <message>
        <source>Ablate</source>
        <translation>消融</translation>
    </message>
    <message>
        <source>Log</source>
        <translation>日志</translation>
    </message>
    <message>
        <source>Import Video…</source>
        <translation>导入视频…</translation>
    </message>
    <message>
        <source>Export as web…</source>
        <translation>导出为 web…</translation>
    </message>
    <message>
        <source>Export as web</source>
        <translation>导出为 web</translation>
    </message>
    <message>
        <source>Prepare…</source>
        <translation>预处理…</translation>
    </message>
    <message>
        <source>View</source>
        <translation>查看</translation>
    </message>
    <message>
        <source>Rename…</source>
        <translation>重命名…</translation>
    </message>
    <message>
        <source>Remove…</source>
        <translation>移除…</translation>
    </message>
    <message>
        <source>imported</source>
        <translation>已导入</translation>
    </message>
    <message>
        <source>prepared</source>
        <translation>已预处理</translation>
    </message>
    <message>
        <source>trained</source>
        <translation>已训练</translation>
    </message>
    <message>
        <source>prepare failed</source>
        <translation>预处理失败</translation>
    </message>
    <message>
        <source>Drop talking-head videos anywhere on this window, or use Import Video.</source>
        <translation>把说话人视频拖到窗口任意处，或使用“导入视频”。</translation>
    </message>
    <message>
        <source>All clips</source>
        <translation>全部片段</translation>
    </message>
    <message>
        <source>Attention maps appear when attention modules are on</source>
        <translation>开启注意力模块后，这里显示注意力图</translation>
    </message>
    <message>
        <source>Audio file:</source>
        <translation>音频文件：</translation>
    </message>
    <message>
        <source>Audio model:</source>
        <translation>音频模型：</translation>
    </message>
    <message>
        <source>Audio-to-mouth model</source>
        <translation>音频到口型模型</translation>
    </message>
    <message>
        <source>Lip-sync video avatar</source>
        <translation>唇形同步视频数字人</translation>
    </message>
    <message>
        <source>Gaussian head avatar</source>
        <translation>高斯头部数字人</translation>
    </message>
    <message>
        <source>Avatar run:</source>
        <translation>数字人运行：</translation>
    </message>
    <message>
        <source>Changes from the preset</source>
        <translation>相对预设的改动</translation>
    </message>
    <message>
        <source>No changes from the preset</source>
        <translation>与预设相同，没有改动</translation>
    </message>
    <message>
        <source>Clip</source>
        <translation>片段</translation>
    </message>
    <message>
        <source>Clip:</source>
        <translation>片段：</translation>
    </message>
    <message>
        <source>Continue run</source>
        <translation>继续运行</translation>
    </message>
    <message>
        <source>Device</source>
        <translation>设备</translation>
    </message>
    <message>
        <source>Idle</source>
        <translation>空闲</translation>
    </message>
    <message>
        <source>Log scale (losses)</source>
        <translation>对数刻度（损失）</translation>
    </message>
    <message>
        <source>Losses</source>
        <translation>损失</translation>
    </message>
    <message>
        <source>Quality</source>
        <translation>质量</translation>
    </message>
    <message>
        <source>Learning rate</source>
        <translation>学习率</translation>
    </message>
    <message>
        <source>Gaussians</source>
        <translation>高斯点数</translation>
    </message>
    <message>
        <source>Max steps</source>
        <translation>最大步数</translation>
    </message>
    <message>
        <source>schedule</source>
        <translation>按计划</translation>
    </message>
    <message>
        <source>Metric:</source>
        <translation>指标：</translation>
    </message>
    <message>
        <source>Augmentation</source>
        <translation>数据增强</translation>
    </message>
    <message>
        <source>Data</source>
        <translation>数据</translation>
    </message>
    <message>
        <source>Densify</source>
        <translation>增密</translation>
    </message>
    <message>
        <source>Discriminator</source>
        <translation>判别器</translation>
    </message>
    <message>
        <source>Features</source>
        <translation>特征</translation>
    </message>
    <message>
        <source>Innovations</source>
        <translation>创新</translation>
    </message>
    <message>
        <source>Loss</source>
        <translation>损失</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Optim</source>
        <translation>优化器</translation>
    </message>
    <message>
        <source>Prior</source>
        <translation>先验</translation>
    </message>
    <message>
        <source>Space</source>
        <translation>空间</translation>
    </message>
    <message>
        <source>Train</source>
        <translation>训练</translation>
    </message>
    <message>
        <source>No Gaussians yet</source>
        <translation>还没有高斯点</translation>
    </message>
    <message>
        <source>No finished avatar run yet: train a lip-sync or Gaussian avatar first.</source>
        <translation>还没有训练完成的数字人：请先训练唇形同步或高斯数字人。</translation>
    </message>
    <message>
        <source>No finished lip-sync or Gaussian run in this project yet: train one to drive it live.</source>
        <translation>本项目还没有训练完成的唇形同步或高斯运行：训练一个后即可实时驱动。</translation>
    </message>
    <message>
        <source>Nothing loaded</source>
        <translation>未加载</translation>
    </message>
    <message>
        <source>Opacity {percent} %</source>
        <translation>不透明度 {percent} %</translation>
    </message>
    <message>
        <source>Opacity 70 %</source>
        <translation>不透明度 70 %</translation>
    </message>
    <message>
        <source>Open Folder</source>
        <translation>打开文件夹</translation>
    </message>
    <message>
        <source>Overlay</source>
        <translation>叠加</translation>
    </message>
    <message>
        <source>Play</source>
        <translation>播放</translation>
    </message>
    <message>
        <source>Preset</source>
        <translation>预设</translation>
    </message>
    <message>
        <source>Project: {path}</source>
        <translation>项目：{path}</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <source>Render</source>
        <translation>渲染</translation>
    </message>
    <message>
        <source>Render a video</source>
        <translation>渲染视频</translation>
    </message>
    <message>
        <source>Reset view</source>
        <translation>重置视角</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>继续</translation>
    </message>
    <message>
        <source>Revert</source>
        <translation>还原</translation>
    </message>
    <message>
        <source>Run suite</source>
        <translation>运行实验组</translation>
    </message>
    <message>
        <source>Samples appear here while training</source>
        <translation>训练时这里显示样本</translation>
    </message>
    <message>
        <source>Save as preset</source>
        <translation>另存为预设</translation>
    </message>
    <message>
        <source>new preset name</source>
        <translation>新预设名称</translation>
    </message>
    <message>
        <source>Select one or two runs to compare a metric.</source>
        <translation>选择一个或两个运行以比较指标。</translation>
    </message>
    <message>
        <source>Show:</source>
        <translation>显示：</translation>
    </message>
    <message>
        <source>Smoothing {alpha}</source>
        <translation>平滑 {alpha}</translation>
    </message>
    <message>
        <source>Smoothing 0.80</source>
        <translation>平滑 0.80</translation>
    </message>
    <message>
        <source>Steps per configuration</source>
        <translation>每个配置的步数</translation>
    </message>
    <message>
        <source>Suite</source>
        <translation>实验组</translation>
    </message>
    <message>
        <source>The results chart appears when the suite finishes</source>
        <translation>实验组完成后这里显示结果图</translation>
    </message>
    <message>
        <source>Videos in this project</source>
        <translation>本项目的视频</translation>
    </message>
    <message>
        <source>with audio</source>
        <translation>有音频</translation>
    </message>
    <message>
        <source>no audio</source>
        <translation>无音频</translation>
    </message>
    <message>
        <source>silent audio</source>
        <translation>静音音频</translation>
    </message>
    <message>
        <source>reading…</source>
        <translation>读取中…</translation>
    </message>
    <message>
        <source>unreadable video</source>
        <translation>无法读取的视频</translation>
    </message>
    <message>
        <source>model lookahead {model} + extra {smoothing}</source>
        <translation>模型前瞻 {model} + 额外 {smoothing}</translation>
    </message>
    <message>
        <source>{head}: about {built_in} ms built in (not measured)</source>
        <translation>{head}：固有延迟约 {built_in} ms（未实测）</translation>
    </message>
    <message>
        <source>{head}: p95 latency {alone} ms alone, {busy} ms beside a busy process ({built_in} ms built in); lip-sync r {r}, LMD {lmd} of the full-lookahead model</source>
        <translation>{head}：p95 延迟单独运行 {alone} ms，与繁忙进程并行 {busy} ms（固有 {built_in} ms）；唇形同步 r 为完整前瞻模型的 {r}，LMD 为 {lmd}</translation>
    </message>
    <message>
        <source> (default: the most accurate within {budget} ms)</source>
        <translation>（默认：{budget} ms 以内最准确的设置）</translation>
    </message>
    <message>
        <source>Lookahead trade-off not measured: {problem}</source>
        <translation>前瞻取舍未实测：{problem}</translation>
    </message>
    <message>
        <source>Microphone unavailable: {problem}. Audio files still work.</source>
        <translation>麦克风不可用：{problem}。音频文件仍可使用。</translation>
    </message>
    <message>
        <source>{name} — exported bundle</source>
        <translation>{name} — 导出的包</translation>
    </message>
    <message>
        <source>Audio-to-mouth: speech -&gt; K mouth-shape coefficients per video frame (LSTM, Audio2Feature style).</source>
        <translation>音频到口型：语音 -&gt; 每个视频帧 K 个口型系数（LSTM，Audio2Feature 风格）。</translation>
    </message>
    <message>
        <source>DINet with all four attention modules (spatial+channel, mouth-focused with a prior mask, multi-scale [1, 2, 4], adaptive fusion) and the temporal-consistency loss on 5-frame clips.</source>
        <translation>DINet，启用全部四个注意力模块（空间+通道、带先验掩码的口部聚焦、多尺度 [1, 2, 4]、自适应融合），并在 5 帧片段上使用时间一致性损失。</translation>
    </message>
    <message>
        <source>DINet lip-sync renderer, the original recipe: mouth 64, pixel 10 / perception 10, lr 1e-4, strong augmentation (10x10 blur, noise sigma 8, brightness 0.7-1.3).</source>
        <translation>DINet 唇形同步渲染器，原始配方：口部 64，像素 10 / 感知 10，学习率 1e-4，强数据增强（10x10 模糊、噪声 sigma 8、亮度 0.7-1.3）。</translation>
    </message>
    <message>
        <source>DINet mini: the CPU real-time renderer (depthwise-separable, width 8, mouth 64).</source>
        <translation>DINet mini：CPU 实时渲染器（深度可分离卷积，宽度 8，口部 64）。</translation>
    </message>
    <message>
        <source>DINet trained coarse to fine: mouth 64 -&gt; 96 -&gt; 128 -&gt; 160, smaller batches and learning rates as the resolution grows.</source>
        <translation>DINet 由粗到细训练：口部 64 -&gt; 96 -&gt; 128 -&gt; 160，随分辨率提高逐级减小批次和学习率。</translation>
    </message>
    <message>
        <source>DINet, the seeds' optimised recipe: mouth 128 (against blur), pixel 15 / perception 15, lr_g 6e-5, light augmentation (3x3 blur, noise 3, brightness 0.85-1.15), batch 16.</source>
        <translation>DINet，多种子优化配方：口部 128（抗模糊），像素 15 / 感知 15，lr_g 6e-5，轻度数据增强（3x3 模糊、噪声 3、亮度 0.85-1.15），批次 16。</translation>
    </message>
    <message>
        <source>Gaussian head avatar, balanced: ultra efficient + progressive resolution + colour calibration.</source>
        <translation>高斯头部数字人，均衡：超高效 + 渐进分辨率 + 颜色校准。</translation>
    </message>
    <message>
        <source>Gaussian head avatar, baseline: GaussianAvatars' recipe on the MediaPipe mesh, no innovation.</source>
        <translation>高斯头部数字人，基线：在 MediaPipe 网格上使用 GaussianAvatars 配方，不含创新。</translation>
    </message>
    <message>
        <source>Gaussian head avatar, single innovation: colour calibration network.</source>
        <translation>高斯头部数字人，单项创新：颜色校准网络。</translation>
    </message>
    <message>
        <source>Gaussian head avatar, single innovation: contrastive regularisation.</source>
        <translation>高斯头部数字人，单项创新：对比正则化。</translation>
    </message>
    <message>
        <source>Gaussian head avatar on the FLAME mesh: GaussianAvatars' recipe on a VHAP/GaussianAvatars dataset.</source>
        <translation>基于 FLAME 网格的高斯头部数字人：在 VHAP/GaussianAvatars 数据集上使用 GaussianAvatars 配方。</translation>
    </message>
    <message>
        <source>Gaussian head avatar, every innovation: quality first + perceptual + semantic densification + temporal.</source>
        <translation>高斯头部数字人，全部创新：质量优先 + 感知损失 + 语义增密 + 时间一致性。</translation>
    </message>
    <message>
        <source>Gaussian head avatar, single innovation: VGG19 perceptual loss.</source>
        <translation>高斯头部数字人，单项创新：VGG19 感知损失。</translation>
    </message>
    <message>
        <source>Gaussian head avatar, single innovation: progressive resolution.</source>
        <translation>高斯头部数字人，单项创新：渐进分辨率。</translation>
    </message>
    <message>
        <source>Gaussian head avatar, quality first: balanced + contrastive regularisation.</source>
        <translation>高斯头部数字人，质量优先：均衡 + 对比正则化。</translation>
    </message>
    <message>
        <source>Gaussian head avatar, single innovation: region-adaptive loss weights.</source>
        <translation>高斯头部数字人，单项创新：区域自适应损失权重。</translation>
    </message>
    <message>
        <source>Gaussian head avatar, single innovation: semantic adaptive densification.</source>
        <translation>高斯头部数字人，单项创新：语义自适应增密。</translation>
    </message>
    <message>
        <source>Gaussian head avatar, single innovation: smart (percentile) densification.</source>
        <translation>高斯头部数字人，单项创新：智能（百分位）增密。</translation>
    </message>
    <message>
        <source>Gaussian head avatar, single innovation: temporal consistency of fine-tuned per-frame mesh corrections.</source>
        <translation>高斯头部数字人，单项创新：逐帧网格微调修正的时间一致性。</translation>
    </message>
    <message>
        <source>Gaussian head avatar, ultra efficient: region-adaptive loss + smart densification.</source>
        <translation>高斯头部数字人，超高效：区域自适应损失 + 智能增密。</translation>
    </message>
    <message>
        <source>frame 0</source>
        <translation>第 0 帧</translation>
    </message>
    <message>
        <source>frame {frame}</source>
        <translation>第 {frame} 帧</translation>
    </message>
    <message>
        <source>frame {index} / {count}</source>
        <translation>第 {index} / {count} 帧</translation>
    </message>
    <message>
        <source>frame – / –</source>
        <translation>第 – / – 帧</translation>
    </message>
    <message>
        <source>⚠ no face found in this frame</source>
        <translation>⚠ 此帧未检测到人脸</translation>
    </message>
    <message>
        <source>{count} frames</source>
        <translation>{count} 帧</translation>
    </message>
    <message>
        <source>face found in {percent}</source>
        <translation>{percent} 的帧检测到人脸</translation>
    </message>
    <message>
        <source>sound {ms} ms behind the picture (re-timed)</source>
        <translation>声音比画面晚 {ms} 毫秒（已校正）</translation>
    </message>
    <message>
        <source>sound {ms} ms ahead of the picture (re-timed)</source>
        <translation>声音比画面早 {ms} 毫秒（已校正）</translation>
    </message>
    <message>
        <source>sound timing as in the file</source>
        <translation>声画时间保持文件原样</translation>
    </message>
    <message>
        <source>sound timing not measured</source>
        <translation>未测量声画偏移</translation>
    </message>
    <message>
        <source>sound and picture in sync</source>
        <translation>声画同步</translation>
    </message>
    <message>
        <source>loading…</source>
        <translation>加载中…</translation>
    </message>
    <message>
        <source>Landmarks</source>
        <translation>关键点</translation>
    </message>
    <message>
        <source>Crop boxes</source>
        <translation>裁剪框</translation>
    </message>
    <message>
        <source>Eyes</source>
        <translation>眼睛</translation>
    </message>
    <message>
        <source>Mouth</source>
        <translation>嘴巴</translation>
    </message>
    <message>
        <source>Nose</source>
        <translation>鼻子</translation>
    </message>
    <message>
        <source>Landmarks ■</source>
        <translation>关键点 ■</translation>
    </message>
    <message>
        <source>Crop boxes ■</source>
        <translation>裁剪框 ■</translation>
    </message>
    <message>
        <source>Eyes ■</source>
        <translation>眼睛 ■</translation>
    </message>
    <message>
        <source>Mouth ■</source>
        <translation>嘴巴 ■</translation>
    </message>
    <message>
        <source>Nose ■</source>
        <translation>鼻子 ■</translation>
    </message>
    <message>
        <source>Running: {name}</source>
        <translation>运行中：{name}</translation>
    </message>
    <message>
        <source>{name} = {value} (step {step})</source>
        <translation>{name} = {value}（第 {step} 步）</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>完成</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <source>Finished</source>
        <translation>已完成</translation>
    </message>
    <message>
        <source>succeeded</source>
        <translation>成功</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <source>Cancelling the running job, then closing…</source>
        <translation>正在取消运行中的任务，然后关闭…</translation>
    </message>
    <message>
        <source>Starting {name}…</source>
        <translation>正在启动 {name}…</translation>
    </message>
    <message>
        <source>paused</source>
        <translation>已暂停</translation>
    </message>
    <message>
        <source>Stopping (saving a checkpoint)…</source>
        <translation>正在停止（保存检查点）…</translation>
    </message>
    <message>
        <source>step {step}</source>
        <translation>第 {step} 步</translation>
    </message>
    <message>
        <source>ETA {time}</source>
        <translation>预计剩余 {time}</translation>
    </message>
    <message>
        <source>Open a project first: presets are saved next to it.</source>
        <translation>请先打开项目：预设保存在项目旁边。</translation>
    </message>
    <message>
        <source>Give the new preset a name.</source>
        <translation>请为新预设命名。</translation>
    </message>
    <message>
        <source>Rendering {name}…</source>
        <translation>正在渲染 {name}…</translation>
    </message>
    <message>
        <source>Loading the avatar…</source>
        <translation>正在加载数字人…</translation>
    </message>
    <message>
        <source>The session is still starting; press Record again in a moment.</source>
        <translation>会话仍在启动，请稍后再按录制。</translation>
    </message>
    <message>
        <source>Recording to {path}</source>
        <translation>正在录制到 {path}</translation>
    </message>
    <message>
        <source>Recording saved: {path}</source>
        <translation>录制已保存：{path}</translation>
    </message>
    <message>
        <source>{seconds} s of audio</source>
        <translation>音频 {seconds} 秒</translation>
    </message>
    <message>
        <source>end-to-end latency {p50} / {p95} ms</source>
        <translation>端到端延迟 {p50} / {p95} ms</translation>
    </message>
    <message>
        <source>dropped {dropped} · underruns {underruns} · overruns {overruns}</source>
        <translation>丢帧 {dropped} · 欠载 {underruns} · 过载 {overruns}</translation>
    </message>
    <message>
        <source>Recording: {path}</source>
        <translation>录制：{path}</translation>
    </message>
    <message>
        <source>Session stopped.</source>
        <translation>会话已停止。</translation>
    </message>
    <message>
        <source>Session ended ({status}).</source>
        <translation>会话已结束（{status}）。</translation>
    </message>
    <message>
        <source>no audio input device found; plug in a microphone</source>
        <translation>未找到音频输入设备；请插入麦克风</translation>
    </message>
    <message>
        <source>Add stage</source>
        <translation>添加阶段</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>移除</translation>
    </message>
    <message>
        <source>Up</source>
        <translation>上移</translation>
    </message>
    <message>
        <source>Down</source>
        <translation>下移</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Steps</source>
        <translation>步数</translation>
    </message>
    <message>
        <source>Sharpness</source>
        <translation>清晰度</translation>
    </message>
    <message>
        <source>Delete…</source>
        <translation>删除…</translation>
    </message>
    <message>
        <source>Drag: orbit · right-drag: pan · wheel: zoom</source>
        <translation>拖动：环绕 · 右键拖动：平移 · 滚轮：缩放</translation>
    </message>
    <message>
        <source>dropped 0 · underruns 0</source>
        <translation>丢帧 0 · 欠载 0</translation>
    </message>
    <message>
        <source>latency p50 – / p95 – ms</source>
        <translation>延迟 p50 – / p95 – ms</translation>
    </message>
    <message>
        <source>speech: wav, mp3, m4a…</source>
        <translation>语音：wav、mp3、m4a…</translation>
    </message>
    <message>
        <source>{fmt} exports runs of: {kinds}.</source>
        <translation>{fmt} 可导出以下类型的运行：{kinds}。</translation>
    </message>
    <message>
        <source>No finished run in the open project can be exported as {fmt} ({kinds} runs can): train one in the Training tab first.</source>
        <translation>当前项目中没有可导出为 {fmt} 的已完成运行（{kinds} 的运行可以）：请先在“训练”选项卡中训练一个。</translation>
    </message>
    <message>
        <source>this format takes no options</source>
        <translation>此格式没有选项</translation>
    </message>
    <message>
        <source>Export done</source>
        <translation>导出完成</translation>
    </message>
    <message>
        <source>Export failed: {error}</source>
        <translation>导出失败：{error}</translation>
    </message>
    <message>
        <source>Cancelled: nothing was written to {path}.</source>
        <translation>已取消：没有写入 {path}。</translation>
    </message>
    <message>
        <source>(system default)</source>
        <translation>（系统默认）</translation>
    </message>
    <message>
        <source>created</source>
        <translation>已创建</translation>
    </message>
    <message>
        <source>running</source>
        <translation>运行中</translation>
    </message>
    <message>
        <source>finished</source>
        <translation>已完成</translation>
    </message>
    <message>
        <source>Cannot open project</source>
        <translation>无法打开项目</translation>
    </message>
    <message>
        <source>Rename clip</source>
        <translation>重命名片段</translation>
    </message>
    <message>
        <source>Rename run</source>
        <translation>重命名运行</translation>
    </message>
    <message>
        <source>Please check the input</source>
        <translation>请检查输入</translation>
    </message>
    <message>
        <source>The job failed</source>
        <translation>任务失败</translation>
    </message>
    <message>
        <source>A job is running</source>
        <translation>有任务正在运行</translation>
    </message>
    <message>
        <source>Remove clip</source>
        <translation>移除片段</translation>
    </message>
    <message>
        <source>Delete runs</source>
        <translation>删除运行</translation>
    </message>
    <message>
        <source>Prepare again</source>
        <translation>重新预处理</translation>
    </message>
    <message>
        <source>Replace the export</source>
        <translation>替换导出</translation>
    </message>
    <message>
        <source>Please check the export</source>
        <translation>请检查导出设置</translation>
    </message>
    <message>
        <source>An export is running</source>
        <translation>正在导出</translation>
    </message>
    <message>
        <source>Wait for it to finish.</source>
        <translation>请等待其完成。</translation>
    </message>
    <message>
        <source>Import a talking-head video, prepare it, train an avatar and make it say new things.</source>
        <translation>导入一段说话人视频，预处理、训练数字人，让它说出新的内容。</translation>
    </message>
    <message>
        <source>Open the Demo Project</source>
        <translation>打开示例项目</translation>
    </message>
    <message>
        <source>&lt;h3&gt;Recent projects&lt;/h3&gt;</source>
        <translation>&lt;h3&gt;最近的项目&lt;/h3&gt;</translation>
    </message>
    <message>
        <source>No recent projects yet: create one or open the demo.</source>
        <translation>还没有最近的项目：新建一个，或打开示例项目。</translation>
    </message>
    <message>
        <source>last opened {when}</source>
        <translation>上次打开 {when}</translation>
    </message>
    <message>
        <source>earlier</source>
        <translation>更早</translation>
    </message>
    <message>
        <source>Building the demo project in {path}…</source>
        <translation>正在 {path} 中构建示例项目…</translation>
    </message>
    <message>
        <source>Building the demo project: {step}</source>
        <translation>正在构建示例项目：{step}</translation>
    </message>
    <message>
        <source>The demo was not built ({state}).</source>
        <translation>示例项目未构建（{state}）。</translation>
    </message>
    <message>
        <source>{out} exists already. Replace it? The old folder is replaced only when the new export is complete and validated.</source>
        <translation>{out} 已存在。要替换它吗？只有新的导出完整并通过校验后，旧文件夹才会被替换。</translation>
    </message>
    <message>
        <source>{names} is still running. Cancel it and close the studio?</source>
        <translation>{names} 仍在运行。要取消它并关闭工作室吗？</translation>
    </message>
    <message>
        <source>{names} are still running. Cancel them and close the studio?</source>
        <translation>{names} 仍在运行。要取消它们并关闭工作室吗？</translation>
    </message>
    <message>
        <source>Nothing half-written is kept: each job stops at its next step (a training run saves a checkpoint you can continue from).</source>
        <translation>不会留下写了一半的文件：每个任务都会在下一步停止（训练运行会保存一个检查点，之后可以继续）。</translation>
    </message>
    <message>
        <source>Rename '{name}' to '{new}'? The video and its prepared folder are renamed; runs keep their names.</source>
        <translation>将“{name}”重命名为“{new}”？视频及其预处理文件夹会被重命名；运行保留原名。</translation>
    </message>
    <message>
        <source>Remove '{name}' from the project? This deletes {video} from media/ and its prepared folder. Trained runs are kept.</source>
        <translation>从项目中移除“{name}”？这会从 media/ 删除 {video} 及其预处理文件夹。已训练的运行会保留。</translation>
    </message>
    <message>
        <source>'{name}' is prepared already. Prepare it again? The old prepared clip is replaced only when the new one is complete.</source>
        <translation>“{name}”已经预处理过。要重新预处理吗？只有新的预处理完整后，旧的才会被替换。</translation>
    </message>
    <message>
        <source> Runs trained on it would no longer match it.</source>
        <translation> 在它上面训练的运行将不再与它匹配。</translation>
    </message>
    <message>
        <source>Rename run '{name}' to '{new}'?</source>
        <translation>将运行“{name}”重命名为“{new}”？</translation>
    </message>
    <message>
        <source>Delete {runs} with their checkpoints, metrics and previews? This cannot be undone.</source>
        <translation>删除 {runs} 及其检查点、指标和预览？此操作无法撤销。</translation>
    </message>
    <message>
        <source>'{name}' is training right now. Stop it first (Stop in the Training tab, or Ctrl+C where `dhstudio train` runs; it keeps a checkpoint), then try again.</source>
        <translation>“{name}”正在训练。请先停止它（在“训练”选项卡中点“停止”，或在运行 `dhstudio train` 的终端按 Ctrl+C；它会保留检查点），然后再试。</translation>
    </message>
    <message>
        <source>The selected run(s) did not log '{metric}'.</source>
        <translation>所选运行没有记录“{metric}”。</translation>
    </message>
    <message>
        <source>{count} run(s) · {metric}</source>
        <translation>{count} 个运行 · {metric}</translation>
    </message>
    <message>
        <source>Color calibration</source>
        <translation>颜色校准</translation>
    </message>
    <message>
        <source>Contrastive</source>
        <translation>对比正则化</translation>
    </message>
    <message>
        <source>Perceptual</source>
        <translation>感知损失</translation>
    </message>
    <message>
        <source>Progressive</source>
        <translation>渐进分辨率</translation>
    </message>
    <message>
        <source>Region weights</source>
        <translation>区域权重</translation>
    </message>
    <message>
        <source>Semantic densify</source>
        <translation>语义致密化</translation>
    </message>
    <message>
        <source>Temporal</source>
        <translation>时间一致性</translation>
    </message>
    <message>
        <source>amp</source>
        <translation>混合精度 (AMP)</translation>
    </message>
    <message>
        <source>amp dtype</source>
        <translation>AMP 数据类型</translation>
    </message>
    <message>
        <source>background</source>
        <translation>背景</translation>
    </message>
    <message>
        <source>base channels</source>
        <translation>基础通道数</translation>
    </message>
    <message>
        <source>batch</source>
        <translation>批次</translation>
    </message>
    <message>
        <source>batch size</source>
        <translation>批大小</translation>
    </message>
    <message>
        <source>betas</source>
        <translation>Adam 动量系数 (betas)</translation>
    </message>
    <message>
        <source>blur kernel</source>
        <translation>模糊核</translation>
    </message>
    <message>
        <source>brightness</source>
        <translation>亮度</translation>
    </message>
    <message>
        <source>cache size</source>
        <translation>缓存大小</translation>
    </message>
    <message>
        <source>channels last</source>
        <translation>通道在后 (channels last)</translation>
    </message>
    <message>
        <source>checkpoint every</source>
        <translation>检查点间隔</translation>
    </message>
    <message>
        <source>clip frames</source>
        <translation>片段帧数</translation>
    </message>
    <message>
        <source>clone percentile</source>
        <translation>克隆百分位</translation>
    </message>
    <message>
        <source>cpu threads</source>
        <translation>CPU 线程数</translation>
    </message>
    <message>
        <source>crop margin</source>
        <translation>裁剪边距</translation>
    </message>
    <message>
        <source>dither</source>
        <translation>抖动</translation>
    </message>
    <message>
        <source>dropout</source>
        <translation>丢弃率 (dropout)</translation>
    </message>
    <message>
        <source>dssim</source>
        <translation>DSSIM 权重</translation>
    </message>
    <message>
        <source>ema decay</source>
        <translation>EMA 衰减</translation>
    </message>
    <message>
        <source>enabled</source>
        <translation>启用</translation>
    </message>
    <message>
        <source>epoch steps</source>
        <translation>每轮步数</translation>
    </message>
    <message>
        <source>epochs</source>
        <translation>轮数</translation>
    </message>
    <message>
        <source>eval every</source>
        <translation>评估间隔</translation>
    </message>
    <message>
        <source>every</source>
        <translation>间隔</translation>
    </message>
    <message>
        <source>eyes</source>
        <translation>眼睛</translation>
    </message>
    <message>
        <source>feature noise</source>
        <translation>特征噪声</translation>
    </message>
    <message>
        <source>features lr</source>
        <translation>特征学习率</translation>
    </message>
    <message>
        <source>finetune</source>
        <translation>微调</translation>
    </message>
    <message>
        <source>finetune mesh</source>
        <translation>微调网格</translation>
    </message>
    <message>
        <source>flame dir</source>
        <translation>FLAME 目录</translation>
    </message>
    <message>
        <source>flow warped</source>
        <translation>光流扭曲</translation>
    </message>
    <message>
        <source>frame difference</source>
        <translation>帧差</translation>
    </message>
    <message>
        <source>frame length ms</source>
        <translation>帧长 (毫秒)</translation>
    </message>
    <message>
        <source>frame shift ms</source>
        <translation>帧移 (毫秒)</translation>
    </message>
    <message>
        <source>fusion</source>
        <translation>融合</translation>
    </message>
    <message>
        <source>gain db</source>
        <translation>增益 (dB)</translation>
    </message>
    <message>
        <source>gan start step</source>
        <translation>GAN 起始步</translation>
    </message>
    <message>
        <source>gan term every</source>
        <translation>GAN 项间隔</translation>
    </message>
    <message>
        <source>grad accumulation</source>
        <translation>梯度累积</translation>
    </message>
    <message>
        <source>grad clip</source>
        <translation>梯度裁剪</translation>
    </message>
    <message>
        <source>grad threshold</source>
        <translation>梯度阈值</translation>
    </message>
    <message>
        <source>hidden</source>
        <translation>隐藏层</translation>
    </message>
    <message>
        <source>high frequency levels</source>
        <translation>高频层数</translation>
    </message>
    <message>
        <source>holdout</source>
        <translation>留出比例</translation>
    </message>
    <message>
        <source>input hidden</source>
        <translation>输入隐藏层</translation>
    </message>
    <message>
        <source>k</source>
        <translation>系数数 (k)</translation>
    </message>
    <message>
        <source>l1</source>
        <translation>L1 权重</translation>
    </message>
    <message>
        <source>lamb gan</source>
        <translation>GAN 权重</translation>
    </message>
    <message>
        <source>lamb high frequency</source>
        <translation>高频权重</translation>
    </message>
    <message>
        <source>lamb mouth</source>
        <translation>口部权重</translation>
    </message>
    <message>
        <source>lamb perception</source>
        <translation>感知权重</translation>
    </message>
    <message>
        <source>lamb pixel</source>
        <translation>像素权重</translation>
    </message>
    <message>
        <source>lamb temporal</source>
        <translation>时间权重</translation>
    </message>
    <message>
        <source>log every</source>
        <translation>日志间隔</translation>
    </message>
    <message>
        <source>long term</source>
        <translation>长期</translation>
    </message>
    <message>
        <source>lookahead</source>
        <translation>前瞻</translation>
    </message>
    <message>
        <source>lr</source>
        <translation>学习率</translation>
    </message>
    <message>
        <source>lr d</source>
        <translation>判别器学习率</translation>
    </message>
    <message>
        <source>lr final</source>
        <translation>最终学习率</translation>
    </message>
    <message>
        <source>lr g</source>
        <translation>生成器学习率</translation>
    </message>
    <message>
        <source>lr schedule</source>
        <translation>学习率计划</translation>
    </message>
    <message>
        <source>lstm hidden</source>
        <translation>LSTM 隐藏层</translation>
    </message>
    <message>
        <source>lstm layers</source>
        <translation>LSTM 层数</translation>
    </message>
    <message>
        <source>max frames</source>
        <translation>最大帧数</translation>
    </message>
    <message>
        <source>max gaussians</source>
        <translation>最大高斯数</translation>
    </message>
    <message>
        <source>mesh</source>
        <translation>网格</translation>
    </message>
    <message>
        <source>mesh lr</source>
        <translation>网格学习率</translation>
    </message>
    <message>
        <source>milestones</source>
        <translation>里程碑</translation>
    </message>
    <message>
        <source>min opacity</source>
        <translation>最小不透明度</translation>
    </message>
    <message>
        <source>mlp hidden</source>
        <translation>MLP 隐藏层</translation>
    </message>
    <message>
        <source>mouth</source>
        <translation>口部</translation>
    </message>
    <message>
        <source>mouth prior softness</source>
        <translation>口部先验柔和度</translation>
    </message>
    <message>
        <source>mouth region</source>
        <translation>口部区域</translation>
    </message>
    <message>
        <source>mouth size</source>
        <translation>口部尺寸</translation>
    </message>
    <message>
        <source>mouth weight</source>
        <translation>口部权重</translation>
    </message>
    <message>
        <source>multi scale</source>
        <translation>多尺度</translation>
    </message>
    <message>
        <source>noise sigma</source>
        <translation>噪声 sigma</translation>
    </message>
    <message>
        <source>nose</source>
        <translation>鼻子</translation>
    </message>
    <message>
        <source>num bins</source>
        <translation>频带数</translation>
    </message>
    <message>
        <source>num layers</source>
        <translation>层数</translation>
    </message>
    <message>
        <source>num references</source>
        <translation>参考帧数</translation>
    </message>
    <message>
        <source>num scales</source>
        <translation>尺度数</translation>
    </message>
    <message>
        <source>opacity lr</source>
        <translation>不透明度学习率</translation>
    </message>
    <message>
        <source>opacity reset every</source>
        <translation>不透明度重置间隔</translation>
    </message>
    <message>
        <source>path</source>
        <translation>路径</translation>
    </message>
    <message>
        <source>percent dense</source>
        <translation>致密比例</translation>
    </message>
    <message>
        <source>perception scales</source>
        <translation>感知尺度</translation>
    </message>
    <message>
        <source>points</source>
        <translation>点数</translation>
    </message>
    <message>
        <source>pool</source>
        <translation>池化</translation>
    </message>
    <message>
        <source>position lr final</source>
        <translation>位置最终学习率</translation>
    </message>
    <message>
        <source>position lr init</source>
        <translation>位置初始学习率</translation>
    </message>
    <message>
        <source>prefetch</source>
        <translation>预取</translation>
    </message>
    <message>
        <source>preview every</source>
        <translation>预览间隔</translation>
    </message>
    <message>
        <source>probability</source>
        <translation>概率</translation>
    </message>
    <message>
        <source>ratio</source>
        <translation>比例</translation>
    </message>
    <message>
        <source>reduction</source>
        <translation>缩减比</translation>
    </message>
    <message>
        <source>reg</source>
        <translation>正则化</translation>
    </message>
    <message>
        <source>region</source>
        <translation>区域</translation>
    </message>
    <message>
        <source>regions</source>
        <translation>区域</translation>
    </message>
    <message>
        <source>renderer</source>
        <translation>渲染器</translation>
    </message>
    <message>
        <source>res blocks</source>
        <translation>残差块数</translation>
    </message>
    <message>
        <source>resolution</source>
        <translation>分辨率</translation>
    </message>
    <message>
        <source>rest divisor</source>
        <translation>其余除数</translation>
    </message>
    <message>
        <source>retain heap</source>
        <translation>保留堆内存</translation>
    </message>
    <message>
        <source>sound timing</source>
        <translation>声音时间</translation>
    </message>
    <message>
        <source>rotation lr</source>
        <translation>旋转学习率</translation>
    </message>
    <message>
        <source>sample rate</source>
        <translation>采样率</translation>
    </message>
    <message>
        <source>scale threshold</source>
        <translation>尺度阈值</translation>
    </message>
    <message>
        <source>scale weight</source>
        <translation>尺度权重</translation>
    </message>
    <message>
        <source>scales</source>
        <translation>尺度</translation>
    </message>
    <message>
        <source>scaling lr</source>
        <translation>缩放学习率</translation>
    </message>
    <message>
        <source>seed</source>
        <translation>随机种子</translation>
    </message>
    <message>
        <source>sh degree</source>
        <translation>SH 阶数</translation>
    </message>
    <message>
        <source>sh increase every</source>
        <translation>SH 升阶间隔</translation>
    </message>
    <message>
        <source>spatial channel</source>
        <translation>空间通道</translation>
    </message>
    <message>
        <source>split percentile</source>
        <translation>分裂百分位</translation>
    </message>
    <message>
        <source>stages</source>
        <translation>阶段</translation>
    </message>
    <message>
        <source>start</source>
        <translation>开始</translation>
    </message>
    <message>
        <source>steps</source>
        <translation>步数</translation>
    </message>
    <message>
        <source>stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>strategy</source>
        <translation>策略</translation>
    </message>
    <message>
        <source>update every</source>
        <translation>更新间隔</translation>
    </message>
    <message>
        <source>use</source>
        <translation>使用</translation>
    </message>
    <message>
        <source>variant</source>
        <translation>变体</translation>
    </message>
    <message>
        <source>vgg19 path</source>
        <translation>VGG19 路径</translation>
    </message>
    <message>
        <source>weight</source>
        <translation>权重</translation>
    </message>
    <message>
        <source>weight decay</source>
        <translation>权重衰减</translation>
    </message>
    <message>
        <source>window</source>
        <translation>窗口</translation>
    </message>
    <message>
        <source>xyz threshold</source>
        <translation>位置阈值</translation>
    </message>
    <message>
        <source>xyz weight</source>
        <translation>位置权重</translation>
    </message>
    <message>
        <source>No other job running</source>
        <translation>没有其他正在运行的任务</translation>
    </message>
    <message>
        <source>Stop Live</source>
        <translation>停止实时驱动</translation>
    </message>
    <message>
        <source>Live: {run} — starting…</source>
        <translation>实时驱动：{run} — 正在启动…</translation>
    </message>
    <message>
        <source>Live: {run} — {fps} fps</source>
        <translation>实时驱动：{run} — {fps} fps</translation>
    </message>
    <message>
        <source>Live: {run} — {ended}</source>
        <translation>实时驱动：{run} — {ended}</translation>
    </message>
    <message>
        <source>Session failed: {error}</source>
        <translation>会话失败：{error}</translation>
    </message>
    <message>
        <source>Clip in use</source>
        <translation>片段正在使用中</translation>
    </message>
    <message>
        <source>another studio window or a `dhstudio` command</source>
        <translation>另一个工作室窗口或 `dhstudio` 命令</translation>
    </message>
    <message>
        <source>a studio or `dhstudio` command on {host}</source>
        <translation>{host} 上的工作室或 `dhstudio` 命令</translation>
    </message>
    <message>
        <source>prepare</source>
        <translation>预处理</translation>
    </message>
    <message>
        <source>remove</source>
        <translation>移除</translation>
    </message>
    <message>
        <source>rename</source>
        <translation>重命名</translation>
    </message>
    <message>
        <source>training</source>
        <translation>训练</translation>
    </message>
    <message>
        <source>evaluation</source>
        <translation>评估</translation>
    </message>
    <message>
        <source>render</source>
        <translation>渲染</translation>
    </message>
    <message>
        <source>export</source>
        <translation>导出</translation>
    </message>
    <message>
        <source>ablation</source>
        <translation>消融实验</translation>
    </message>
    <message>
        <source>frame loading</source>
        <translation>帧加载</translation>
    </message>
    <message>
        <source>view the clip</source>
        <translation>查看片段</translation>
    </message>
    <message>
        <source>About Digital Human Studio</source>
        <translation>关于数字人工作室</translation>
    </message>
    <message>
        <source>Train lip-sync and Gaussian head avatars from a talking-head video and drive them live.</source>
        <translation>从说话人视频训练唇形同步数字人和高斯头部数字人，并实时驱动它们。</translation>
    </message>
    <message>
        <source>live session</source>
        <translation>实时驱动</translation>
    </message>
    <message>
        <source>import</source>
        <translation>导入</translation>
    </message>
    <message>
        <source>{list}; {item}</source>
        <translation>{list}；{item}</translation>
    </message>
    <message>
        <source>its {job} is running in {where} (process {pid}, since {time})</source>
        <translation>{where}正在对它进行{job}（进程 {pid}，开始于 {time}）</translation>
    </message>
    <message>
        <source>'{clip}' is in use: {jobs}. Wait for these jobs to finish or cancel them in the other windows (Ctrl+C for a `dhstudio` command), then {action} again.</source>
        <translation>“{clip}”正在使用中：{jobs}。请等待这些任务完成，或在其他窗口中取消它们（`dhstudio` 命令按 Ctrl+C），然后再次{action}。</translation>
    </message>
    <message>
        <source>'{clip}' is in use: its {job} is running in {where} (process {pid}, since {time}). Wait for the {job} to finish or cancel it in the other window (Ctrl+C for a `dhstudio` command), then {action} again.</source>
        <translation>“{clip}”正在使用中：{where}正在对它进行{job}（进程 {pid}，开始于 {time}）。请等待{job}完成，或在另一个窗口中取消它（`dhstudio` 命令按 Ctrl+C），然后再次{action}。</translation>
    </message>
    <message>
        <source>remove '{clip}'</source>
        <translation>移除“{clip}”</translation>
    </message>
    <message>
        <source>rename '{clip}'</source>
        <translation>重命名“{clip}”</translation>
    </message>
    <message>
        <source> If nothing runs on {host} any more, delete {marker}.</source>
        <translation> 如果 {host} 上已没有任何程序在运行，请删除 {marker}。</translation>
    </message>
    <message>
        <source>Prepare '{clip}'</source>
        <translation>预处理“{clip}”</translation>
    </message>
    <message>
        <source>Frame rate:</source>
        <translation>帧率：</translation>
    </message>
    <message>
        <source>Mouth size:</source>
        <translation>嘴部尺寸：</translation>
    </message>
    <message>
        <source>Sound sync:</source>
        <translation>音画同步：</translation>
    </message>
    <message>
        <source>Measure and correct</source>
        <translation>测量并校正</translation>
    </message>
    <message>
        <source>Keep the file's timing</source>
        <translation>保持文件原有时间</translation>
    </message>
    <message>
        <source>Fixed offset</source>
        <translation>固定偏移</translation>
    </message>
    <message>
        <source>Prepare</source>
        <translation>预处理</translation>
    </message>
    <message>
        <source>The face is tracked in every frame; frames without a face are flagged.</source>
        <translation>每一帧都会跟踪人脸；没有人脸的帧会被标记。</translation>
    </message>
    <message>
        <source>How far the sound runs behind the picture (negative: ahead of it).</source>
        <translation>声音落后于画面的时间（负值：领先于画面）。</translation>
    </message>
    <message>
        <source>Sound timing…</source>
        <translation>音画同步…</translation>
    </message>
    <message>
        <source>Measure the sound's offset from the picture again, or set it</source>
        <translation>重新测量声音相对画面的偏移，或手动设置</translation>
    </message>
    <message>
        <source>Sound timing of '{clip}'</source>
        <translation>“{clip}”的音画同步</translation>
    </message>
    <message>
        <source>Now:</source>
        <translation>当前：</translation>
    </message>
    <message>
        <source>Apply</source>
        <translation>应用</translation>
    </message>
    <message>
        <source>Training, evaluation and export use the new timing from their next run; avatars trained on this clip before keep the timing they learned.</source>
        <translation>训练、评估和导出从下一次运行起使用新的同步设置；之前用此片段训练的数字人保留其学到的同步。</translation>
    </message>
</context>
</TS>
