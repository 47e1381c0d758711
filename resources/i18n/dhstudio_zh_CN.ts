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
        <source>voice level matched: {shift} dB</source>
        <translation>人声电平已匹配：{shift} dB</translation>
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
        <source>About Digital Human Studio</source>
        <translation>关于数字人工作室</translation>
    </message>
    <message>
        <source>Train lip-sync and Gaussian head avatars from a talking-head video and drive them live.</source>
        <translation>从说话人视频训练唇形同步数字人和高斯头部数字人，并实时驱动它们。</translation>
    </message>
    <message>
        <source>backend &apos;native&apos; runs on the CPU, not {device}; use --backend torch</source>
        <translation>后端 &apos;native&apos; 只在 CPU 上运行，不能在 {device} 上运行；请使用 --backend torch</translation>
    </message>
    <message>
        <source>unknown backend {kind!r}; choose one of {choices}</source>
        <translation>未知的后端 {kind!r}；请从 {choices} 中选择</translation>
    </message>
    <message>
        <source>backend &apos;onnx&apos; is not usable: {problem}; install onnxruntime or use --backend torch</source>
        <translation>后端 &apos;onnx&apos; 无法使用：{problem}；请安装 onnxruntime，或使用 --backend torch</translation>
    </message>
    <message>
        <source>backend &apos;native&apos; is not usable: {problem}; use --backend onnx</source>
        <translation>后端 &apos;native&apos; 无法使用：{problem}；请使用 --backend onnx</translation>
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
    <message>
        <source>audio must be mono, 1-D samples (got shape {shape}); mix down channels first</source>
        <translation>音频必须是单声道的一维采样（收到的形状为 {shape}）；请先把多个声道混为一个</translation>
    </message>
    <message>
        <source>StreamingFbank got {sample_rate} Hz audio but needs {needed_rate} Hz; resample it first (core.audio.resample.StreamingResampler({sample_rate}, {needed_rate})).</source>
        <translation>StreamingFbank 收到的是 {sample_rate} Hz 的音频，但需要 {needed_rate} Hz；请先重采样（core.audio.resample.StreamingResampler({sample_rate}, {needed_rate})）。</translation>
    </message>
    <message>
        <source>Invalid configuration in {where}:
{fields}</source>
        <translation>{where} 中的配置无效：
{fields}</translation>
    </message>
    <message>
        <source>config</source>
        <translation>配置</translation>
    </message>
    <message>
        <source>Give a job file; the presets are in {folder}: {names}</source>
        <translation>请给出一个任务文件；预设位于 {folder}：{names}</translation>
    </message>
    <message>
        <source>Did you mean {path}?</source>
        <translation>您是指 {path} 吗？</translation>
    </message>
    <message>
        <source>Config file not found: {path}. {hint}</source>
        <translation>找不到配置文件：{path}。{hint}</translation>
    </message>
    <message>
        <source>Override '{text}' must look like section.key=value</source>
        <translation>覆盖项“{text}”的格式必须是 section.key=value</translation>
    </message>
    <message>
        <source>Override '{text}' has an empty key</source>
        <translation>覆盖项“{text}”的键为空</translation>
    </message>
    <message>
        <source>{path} is not valid TOML: {exc}</source>
        <translation>{path} 不是有效的 TOML：{exc}</translation>
    </message>
    <message>
        <source>Override '{text}': '{p}' is a value, not a section</source>
        <translation>覆盖项“{text}”：“{p}”是一个值，不是一个节</translation>
    </message>
    <message>
        <source>--device must be auto, cpu or cuda (got {choice!r})</source>
        <translation>--device 必须是 auto、cpu 或 cuda（收到 {choice!r}）</translation>
    </message>
    <message>
        <source>--device cuda was asked for but no usable CUDA GPU was found; use --device cpu (or auto), or check the NVIDIA driver with `dhstudio doctor`.</source>
        <translation>要求使用 --device cuda，但没有找到可用的 CUDA GPU；请使用 --device cpu（或 auto），或用 `dhstudio doctor` 检查 NVIDIA 驱动。</translation>
    </message>
    <message>
        <source>prepared clip {clip_path} has no frame with a face; prepare another video</source>
        <translation>已预处理的片段 {clip_path} 中没有一帧有人脸；请预处理另一个视频</translation>
    </message>
    <message>
        <source>--precision is {precision!r}; allowed: {precisions}</source>
        <translation>--precision 为 {precision!r}；允许的值：{precisions}</translation>
    </message>
    <message>
        <source>the audio-to-mouth model in {audio_run} was trained at {audio_fps:g} fps but the avatar's clip runs at {clip_fps:g} fps; train the audio model on a clip at that rate</source>
        <translation>{audio_run} 中的音频到口型模型是以 {audio_fps:g} fps 训练的，但数字人的片段是 {clip_fps:g} fps；请在该帧率的片段上训练音频模型</translation>
    </message>
    <message>
        <source>{folder} is an exported bundle, which runs its own ONNX models: --backend {backend} cannot apply. Leave --backend out (or pass onnx), or give the run folder it was exported from to use {backend}.</source>
        <translation>{folder} 是一个导出的数据包，它运行自带的 ONNX 模型：--backend {backend} 不适用。请省略 --backend（或传入 onnx），或者给出导出它的运行文件夹以使用 {backend}。</translation>
    </message>
    <message>
        <source>{folder} is not an avatar bundle (no {bundle_json}); make one with `dhstudio export RUN --format bundle`</source>
        <translation>{folder} 不是数字人数据包（没有 {bundle_json}）；请用 `dhstudio export RUN --format bundle` 生成一个</translation>
    </message>
    <message>
        <source>{path}: field 'schema' is {schema!r}, expected {expected_schema!r}</source>
        <translation>{path}：字段 'schema' 为 {schema!r}，应为 {expected_schema!r}</translation>
    </message>
    <message>
        <source>{path}: field 'schema_version' is {version!r}; expected an integer &gt;= 1</source>
        <translation>{path}：字段 'schema_version' 为 {version!r}；应为 &gt;= 1 的整数</translation>
    </message>
    <message>
        <source>{path} has schema version {version}, newer than this dhstudio reads (up to {schema_version}); update dhstudio or export the bundle with this version</source>
        <translation>{path} 的 schema 版本为 {version}，比此 dhstudio 能读取的版本（最高 {schema_version}）更新；请更新 dhstudio，或用此版本重新导出数据包</translation>
    </message>
    <message>
        <source>{path}: fields 'files' / 'files_by_role' are missing or disagree; export it again</source>
        <translation>{path}：字段 'files' / 'files_by_role' 缺失或不一致；请重新导出</translation>
    </message>
    <message>
        <source>bundle {folder} is missing {missing}; copy the whole folder or export it again</source>
        <translation>数据包 {folder} 缺少 {missing}；请复制整个文件夹或重新导出</translation>
    </message>
    <message>
        <source>{path} is damaged ({exc}); export the bundle again</source>
        <translation>{path} 已损坏（{exc}）；请重新导出数据包</translation>
    </message>
    <message>
        <source>bundle file {f} is {actual} bytes, bundle.json says {size}; the copy is incomplete or damaged, export it again</source>
        <translation>数据包文件 {f} 为 {actual} 字节，而 bundle.json 记录为 {size}；副本不完整或已损坏，请重新导出</translation>
    </message>
    <message>
        <source>--out must name an .mp4 file (got {out})</source>
        <translation>--out 必须是一个 .mp4 文件（收到 {out}）</translation>
    </message>
    <message>
        <source>{file} holds {frames} frames, bundle.json says {n}; export it again</source>
        <translation>{file} 含有 {frames} 帧，而 bundle.json 记录为 {n}；请重新导出</translation>
    </message>
    <message>
        <source>{out} already exists; choose another --out or pass --force to replace it</source>
        <translation>{out} 已存在；请选择另一个 --out，或传入 --force 以替换它</translation>
    </message>
    <message>
        <source>{out} exists and is not a folder; choose another --out</source>
        <translation>{out} 已存在且不是文件夹；请选择另一个 --out</translation>
    </message>
    <message>
        <source>unknown model export format {fmt!r}; allowed: {writers}</source>
        <translation>未知的模型导出格式 {fmt!r}；允许的格式：{writers}</translation>
    </message>
    <message>
        <source>{run} has no finished checkpoint (the run is '{state}'); wait for training to finish or export a finished run.</source>
        <translation>{run} 没有完成的检查点（运行状态为“{state}”）；请等待训练完成，或导出一个已完成的运行。</translation>
    </message>
    <message>
        <source>clip '{clip_name}' has no usable held-out frame to check the export on; use a longer clip</source>
        <translation>片段“{clip_name}”没有可用于检查导出结果的留出帧；请使用更长的片段</translation>
    </message>
    <message>
        <source>the audio model was trained on clip '{names}', but {path} is not a prepared clip</source>
        <translation>音频模型是在片段“{names}”上训练的，但 {path} 不是已预处理的片段</translation>
    </message>
    <message>
        <source>{summary} is missing or damaged; it names the clip to check the export on</source>
        <translation>{summary} 缺失或已损坏；它记录了用于检查导出结果的片段</translation>
    </message>
    <message>
        <source>the web page sources are missing ({src}/index.html); reinstall dhstudio</source>
        <translation>网页源文件缺失（{src}/index.html）；请重新安装 dhstudio</translation>
    </message>
    <message>
        <source>onnxruntime-web is not installed ({dist} lacks {missing}); run `npm ci --prefix {root}` (installers/setup.sh does it)</source>
        <translation>未安装 onnxruntime-web（{dist} 缺少 {missing}）；请运行 `npm ci --prefix {root}`（installers/setup.sh 会执行它）</translation>
    </message>
    <message>
        <source>jpeg_quality is {quality}; allowed: 50 .. 100</source>
        <translation>jpeg_quality 为 {quality}；允许范围：50 .. 100</translation>
    </message>
    <message>
        <source>the lip-sync avatar trains only on frames whose crop is inside the image (the Gaussian avatar uses them all). Use a shot with some space around the face (zoom out, or crop the video less tightly).</source>
        <translation>唇形同步数字人只用裁剪框完全在画面内的帧训练（高斯数字人使用全部帧）。请使用人脸周围留有空间的镜头（拉远镜头，或不要把视频裁得太紧）。</translation>
    </message>
    <message>
        <source>{lost}, which leaves {tracked_s:.2f} s with the face in view; prepare needs at least {need_s:.2f} s of it ({need_frames} frames at {fps:g} fps) to train an avatar. Use a longer clip, or one where the face stays in view (trim or re-record the face-less part).</source>
        <translation>{lost}，人脸在画面中的时长只剩 {tracked_s:.2f} 秒；预处理至少需要其中 {need_s:.2f} 秒（{fps:g} fps 下 {need_frames} 帧）才能训练数字人。请使用更长的片段，或人脸一直在画面中的片段（剪掉或重录没有人脸的部分）。</translation>
    </message>
    <message>
        <source>{lost}. Use a video in which one person's face is visible.</source>
        <translation>{lost}。请使用一个人的脸清晰可见的视频。</translation>
    </message>
    <message>
        <source>{lost}: most of the clip shows no face, and prepare needs a face in at least {min_percent:.0f}% of the frames. Trim the video to the part where the speaker's face is in view (or use a clip where it stays in view).</source>
        <translation>{lost}：片段大部分时间没有人脸，而预处理要求至少 {min_percent:.0f}% 的帧中有人脸。请把视频剪到说话人的脸在画面中的部分（或使用人脸一直在画面中的片段）。</translation>
    </message>
    <message>
        <source>{video}: the face is only {width:.0f} px wide (median over the clip); at least {min_px:.0f} px is needed. Use a closer shot or a higher-resolution video.</source>
        <translation>{video}：人脸宽度只有 {width:.0f} 像素（整个片段的中位数）；至少需要 {min_px:.0f} 像素。请使用更近的镜头或分辨率更高的视频。</translation>
    </message>
    <message>
        <source>'{clip_name}' has no sound track, so it has no sound timing to set. Prepare a video with sound to train lip-sync on it.</source>
        <translation>“{clip_name}”没有音轨，因此没有可设置的声音同步。请预处理一个有声音的视频，以便在其上训练唇形同步。</translation>
    </message>
    <message>
        <source>the prepared clips' folder</source>
        <translation>已预处理片段的文件夹</translation>
    </message>
    <message>
        <source>make the project folder writable (or copy the project somewhere writable) and prepare again.</source>
        <translation>请让项目文件夹可写（或把项目复制到可写的位置），然后重新预处理。</translation>
    </message>
    <message>
        <source>fps {fps} is out of range; choose a frame rate between 1 and 120 (default 25).</source>
        <translation>帧率 {fps} 超出范围；请选择 1 到 120 之间的帧率（默认 25）。</translation>
    </message>
    <message>
        <source>{video} gives {n} {frames} at {fps:g} fps ({seconds:.2f} s); training an avatar needs {frames_needed}. Prepare a longer video (at least {min_seconds:.2f} s).</source>
        <translation>{video} 在 {fps:g} fps 下得到 {n} {frames}（{seconds:.2f} 秒）；训练数字人需要{frames_needed}。请预处理更长的视频（至少 {min_seconds:.2f} 秒）。</translation>
    </message>
    <message>
        <source>frames</source>
        <translation>帧</translation>
    </message>
    <message>
        <source>frame</source>
        <translation>帧</translation>
    </message>
    <message>
        <source>is not a prepared clip (no manifest.json). Run `dhstudio prepare` first.</source>
        <translation>不是已预处理的片段（没有 manifest.json）。请先运行 `dhstudio prepare`。</translation>
    </message>
    <message>
        <source>prepare the clip again.</source>
        <translation>请重新预处理该片段。</translation>
    </message>
    <message>
        <source>{manifest_path}: prepared-clip schema {schema!r} is not supported (this version reads schema {supported_schema}); prepare the clip again.</source>
        <translation>{manifest_path}：不支持已预处理片段的 schema {schema!r}（此版本读取 schema {supported_schema}）；请重新预处理该片段。</translation>
    </message>
    <message>
        <source>{path}: landmarks/crops do not match frame_count {n}; prepare the clip again.</source>
        <translation>{path}：landmarks/crops 与 frame_count {n} 不符；请重新预处理该片段。</translation>
    </message>
    <message>
        <source>{path}: poses.npz camera is {shape}, not 3x3; prepare the clip again.</source>
        <translation>{path}：poses.npz 的相机矩阵为 {shape}，不是 3x3；请重新预处理该片段。</translation>
    </message>
    <message>
        <source>Prepared clip '{name}' has no audio (its source video had no audio track). Lip-sync training needs the speech: prepare a video with sound.</source>
        <translation>已预处理的片段“{name}”没有音频（其源视频没有音轨）。唇形同步训练需要语音：请预处理一个有声音的视频。</translation>
    </message>
    <message>
        <source>{path}: prepared clip files are missing or damaged ({exc}); prepare it again.</source>
        <translation>{path}：已预处理片段的文件缺失或已损坏（{exc}）；请重新预处理。</translation>
    </message>
    <message>
        <source>{path}: poses.npz is missing or damaged ({exc}); prepare the clip again.</source>
        <translation>{path}：poses.npz 缺失或已损坏（{exc}）；请重新预处理该片段。</translation>
    </message>
    <message>
        <source>no FLAME model in {folder}: expected {model_files} (download it from flame.is.tue.mpg.de after accepting the licence) and optionally FLAME_masks.pkl</source>
        <translation>{folder} 中没有 FLAME 模型：应有 {model_files}（接受许可协议后从 flame.is.tue.mpg.de 下载），以及可选的 FLAME_masks.pkl</translation>
    </message>
    <message>
        <source>{model_path} is not a FLAME model file (top level is {error_type})</source>
        <translation>{model_path} 不是 FLAME 模型文件（顶层是 {error_type}）</translation>
    </message>
    <message>
        <source>{model_path} is not a FLAME model file: missing {missing}</source>
        <translation>{model_path} 不是 FLAME 模型文件：缺少 {missing}</translation>
    </message>
    <message>
        <source>unknown FLAME region(s) {unknown}; available: {have}</source>
        <translation>未知的 FLAME 区域 {unknown}；可用的区域：{have}</translation>
    </message>
    <message>
        <source>{masks_path} is not a FLAME masks file</source>
        <translation>{masks_path} 不是 FLAME 遮罩文件</translation>
    </message>
    <message>
        <source>file not found: {path}</source>
        <translation>找不到文件：{path}</translation>
    </message>
    <message>
        <source>{path} was refused by the safe FLAME loader ({exc}); use the original file from flame.is.tue.mpg.de</source>
        <translation>{path} 被安全 FLAME 加载器拒绝（{exc}）；请使用来自 flame.is.tue.mpg.de 的原始文件</translation>
    </message>
    <message>
        <source>no frame of the clip has a tracked face; choose a clip where the face is visible</source>
        <translation>片段中没有一帧跟踪到人脸；请选择人脸可见的片段</translation>
    </message>
    <message>
        <source>{landmarks_file} must hold [N, {vertices}, 3] landmarks, got {landmarks_shape}; prepare the clip again</source>
        <translation>{landmarks_file} 必须包含 [N, {vertices}, 3] 的特征点，实际为 {landmarks_shape}；请重新预处理该片段</translation>
    </message>
    <message>
        <source>is not a clip (no manifest.json); import it with `dhstudio import-vhap`.</source>
        <translation>不是片段（没有 manifest.json）；请用 `dhstudio import-vhap` 导入。</translation>
    </message>
    <message>
        <source>a FLAME avatar needs the FLAME model files (flame2023.pkl or generic_model.pkl, optionally FLAME_masks.pkl; download them from flame.is.tue.mpg.de after accepting the licence). Looked in: {looked}. Set ${env} or data.flame_dir to their folder.</source>
        <translation>FLAME 数字人需要 FLAME 模型文件（flame2023.pkl 或 generic_model.pkl，可选 FLAME_masks.pkl；接受许可协议后从 flame.is.tue.mpg.de 下载）。已查找：{looked}。请把 ${env} 或 data.flame_dir 设为它们所在的文件夹。</translation>
    </message>
    <message>
        <source>import the clip again.</source>
        <translation>请重新导入该片段。</translation>
    </message>
    <message>
        <source>--flame-dir given at import</source>
        <translation>导入时给出的 --flame-dir</translation>
    </message>
    <message>
        <source>the default folder</source>
        <translation>默认文件夹</translation>
    </message>
    <message>
        <source>{where}: {n_shape} shape / {n_expr} expression coefficients, but the FLAME model has {model_n_shape} / {model_n_expr}; use the FLAME version the dataset was tracked with.</source>
        <translation>{where}：{n_shape} 个形状 / {n_expr} 个表情系数，但 FLAME 模型有 {model_n_shape} / {model_n_expr} 个；请使用跟踪该数据集时所用的 FLAME 版本。</translation>
    </message>
    <message>
        <source>{where}: static_offset has {vertices} vertices, the FLAME model {model_vertices} (VHAP with teeth adds vertices this project does not model); re-track without teeth or use the matching model.</source>
        <translation>{where}：static_offset 有 {vertices} 个顶点，而 FLAME 模型有 {model_vertices} 个（带牙齿的 VHAP 会添加本项目不建模的顶点）；请不带牙齿重新跟踪，或使用匹配的模型。</translation>
    </message>
    <message>
        <source>{dataset}: the transforms files list no frames</source>
        <translation>{dataset}：transforms 文件中没有列出任何帧</translation>
    </message>
    <message>
        <source>missing images {images}</source>
        <translation>缺少图像 {images}</translation>
    </message>
    <message>
        <source>frames without flame_param_path {images}</source>
        <translation>没有 flame_param_path 的帧 {images}</translation>
    </message>
    <message>
        <source>{dataset}: {what}; a VHAP dataset needs every image and its FLAME parameters</source>
        <translation>{dataset}：{what}；VHAP 数据集需要每张图像及其 FLAME 参数</translation>
    </message>
    <message>
        <source>{path} is not an imported VHAP clip (schema {schema!r}, expected {expected_schema!r}); a FLAME avatar (data.mesh = "flame") trains on a clip imported with `dhstudio import-vhap DATASET --project P`.</source>
        <translation>{path} 不是导入的 VHAP 片段（schema {schema!r}，应为 {expected_schema!r}）；FLAME 数字人（data.mesh = "flame"）在用 `dhstudio import-vhap DATASET --project P` 导入的片段上训练。</translation>
    </message>
    <message>
        <source>{label} (not set)</source>
        <translation>{label}（未设置）</translation>
    </message>
    <message>
        <source>{path}: imported clip files are missing or damaged ({exc}); import it again.</source>
        <translation>{path}：导入的片段文件缺失或已损坏（{exc}）；请重新导入。</translation>
    </message>
    <message>
        <source>{label} = {value} (no model file there)</source>
        <translation>{label} = {value}（那里没有模型文件）</translation>
    </message>
    <message>
        <source>VHAP dataset split not found: {path} (a dataset has some of {expected})</source>
        <translation>找不到 VHAP 数据集的划分：{path}（数据集应包含 {expected} 中的一部分）</translation>
    </message>
    <message>
        <source>{root} is not a VHAP/GaussianAvatars dataset: no transforms_*.json found</source>
        <translation>{root} 不是 VHAP/GaussianAvatars 数据集：没有找到 transforms_*.json</translation>
    </message>
    <message>
        <source>FLAME parameter file not found: {path}</source>
        <translation>找不到 FLAME 参数文件：{path}</translation>
    </message>
    <message>
        <source>cannot read image {image}</source>
        <translation>无法读取图像 {image}</translation>
    </message>
    <message>
        <source>cannot read mask {mask}</source>
        <translation>无法读取遮罩 {mask}</translation>
    </message>
    <message>
        <source>{path} is not valid JSON: {exc}</source>
        <translation>{path} 不是有效的 JSON：{exc}</translation>
    </message>
    <message>
        <source>{path}: frame {i} lacks {what}</source>
        <translation>{path}：第 {i} 帧缺少 {what}</translation>
    </message>
    <message>
        <source>{path} lacks {missing}</source>
        <translation>{path} 缺少 {missing}</translation>
    </message>
    <message>
        <source>PLY file not found: {path}</source>
        <translation>找不到 PLY 文件：{path}</translation>
    </message>
    <message>
        <source>{path} is not a 3DGS PLY: missing {missing}</source>
        <translation>{path} 不是 3DGS PLY：缺少 {missing}</translation>
    </message>
    <message>
        <source>{path} holds {space}-space Gaussians; load it with load_bound_ply</source>
        <translation>{path} 保存的是 {space} 空间的高斯；请用 load_bound_ply 加载</translation>
    </message>
    <message>
        <source>{path} is not a bound (local-space) avatar PLY with binding_0</source>
        <translation>{path} 不是带 binding_0 的绑定（局部空间）数字人 PLY</translation>
    </message>
    <message>
        <source>mesh sequence for {path} not found: expected {companion}</source>
        <translation>找不到 {path} 的网格序列：应为 {companion}</translation>
    </message>
    <message>
        <source>unknown renderer {kind!r}; choose one of {choices}</source>
        <translation>未知的渲染器 {kind!r}；请从 {choices} 中选择</translation>
    </message>
    <message>
        <source>renderer 'gsplat' is not usable on {device}: {problem}. Use renderer 'torch' (CPU) or run on a machine with CUDA and a working gsplat.</source>
        <translation>渲染器 'gsplat' 在 {device} 上不可用：{problem}。请使用渲染器 'torch'（CPU），或在装有 CUDA 和可用 gsplat 的机器上运行。</translation>
    </message>
    <message>
        <source>renderer 'native' is not usable on {device}: {problem}. Build it with `{build_command}`, or use renderer 'torch' or 'auto'.</source>
        <translation>渲染器 'native' 在 {device} 上不可用：{problem}。请用 `{build_command}` 构建它，或使用渲染器 'torch' 或 'auto'。</translation>
    </message>
    <message>
        <source>{path}: configuration names must be unique, got {names}</source>
        <translation>{path}：配置名称必须唯一，实际为 {names}</translation>
    </message>
    <message>
        <source>{path}: no configuration called {unknown}; it has {names}</source>
        <translation>{path}：没有名为 {unknown} 的配置；它有 {names}</translation>
    </message>
    <message>
        <source>{job}: an ablation suite needs gaussian jobs (kind = {kind!r})</source>
        <translation>{job}：消融实验组需要 gaussian 任务（kind = {kind!r}）</translation>
    </message>
    <message>
        <source>{path} is a '{kind}' run; an ablation table compares '{kind_name}' runs.</source>
        <translation>{path} 是一个“{kind}”运行；消融表比较的是“{kind_name}”运行。</translation>
    </message>
    <message>
        <source>{path} has not finished (state {state!r}, {eval_file} {presence}); finish it with `dhstudio train JOB --project PROJECT --run-name {path_name} --resume`, or leave it out.</source>
        <translation>{path} 尚未完成（状态 {state!r}，{eval_file} {presence}）；请用 `dhstudio train JOB --project PROJECT --run-name {path_name} --resume` 完成它，或将其排除。</translation>
    </message>
    <message>
        <source>{eval_path} lacks {missing}; run `dhstudio eval {path}` to rewrite it.</source>
        <translation>{eval_path} 缺少 {missing}；请运行 `dhstudio eval {path}` 重写它。</translation>
    </message>
    <message>
        <source>several runs are called {dupes}; rename the run folders so each row has its own name.</source>
        <translation>有多个运行名为 {dupes}；请重命名运行文件夹，使每一行都有自己的名称。</translation>
    </message>
    <message>
        <source>these runs are not comparable: {problems}. Train every configuration with the same --set train.steps=N --set train.seed=S and data settings (or pass --allow-mixed to merge them anyway).</source>
        <translation>这些运行不可比较：{problems}。请用相同的 --set train.steps=N --set train.seed=S 和数据设置训练每个配置（或传入 --allow-mixed 强制合并）。</translation>
    </message>
    <message>
        <source>{eval_path} is damaged ({exc}); run `dhstudio eval {path}` to rewrite it.</source>
        <translation>{eval_path} 已损坏（{exc}）；请运行 `dhstudio eval {path}` 重写它。</translation>
    </message>
    <message>
        <source>{p} is not a run folder (no {status_file}) nor a folder with runs/; give PROJECT/runs/&lt;run&gt;, a project folder or a `dhstudio ablate --out` folder.</source>
        <translation>{p} 不是运行文件夹（没有 {status_file}），也不是包含 runs/ 的文件夹；请给出 PROJECT/runs/&lt;run&gt;、项目文件夹或 `dhstudio ablate --out` 文件夹。</translation>
    </message>
    <message>
        <source>{runs} holds no run folders; give run folders made by `dhstudio train`.</source>
        <translation>{runs} 中没有运行文件夹；请给出由 `dhstudio train` 生成的运行文件夹。</translation>
    </message>
    <message>
        <source>present</source>
        <translation>存在</translation>
    </message>
    <message>
        <source>missing</source>
        <translation>缺失</translation>
    </message>
    <message>
        <source>{video}: no face found in {missing} of {n} frames ({percent:.0f}%) - frames {frames} (at {times})</source>
        <translation>{video}：{n} 帧中有 {missing} 帧没有找到人脸（{percent:.0f}%）——帧 {frames}（位于 {times}）</translation>
    </message>
    <message>
        <source>{run_dir} has no {avatar_file}: the Gaussian run has not finished training (resume it with `dhstudio train JOB --resume --run-name NAME`).</source>
        <translation>{run_dir} 没有 {avatar_file}：该高斯运行尚未完成训练（用 `dhstudio train JOB --resume --run-name NAME` 继续）。</translation>
    </message>
    <message>
        <source>only {n_frames} usable frames (face found); a Gaussian avatar needs {frames_needed}. Prepare a longer clip.</source>
        <translation>只有 {n_frames} 帧可用（找到人脸）；高斯数字人需要{frames_needed}。请预处理更长的片段。</translation>
    </message>
    <message>
        <source>{clip_path}: the video ends before frame {last}; the prepared clip is damaged - prepare it again.</source>
        <translation>{clip_path}：视频在第 {last} 帧之前就结束了；已预处理的片段已损坏——请重新预处理。</translation>
    </message>
    <message>
        <source>{run_dir} is a {kind} run, not a Gaussian avatar run</source>
        <translation>{run_dir} 是一个 {kind} 运行，不是高斯数字人运行</translation>
    </message>
    <message>
        <source>--frame {frame} is outside the clip's frames 0..{last_frame}</source>
        <translation>--frame {frame} 超出片段的帧范围 0..{last_frame}</translation>
    </message>
    <message>
        <source>{clip_dir}: {n_train} training and {n_held} held-out images; a FLAME avatar needs at least 2 to train and 1 held out (import a dataset with more frames or views).</source>
        <translation>{clip_dir}：{n_train} 张训练图像和 {n_held} 张留出图像；FLAME 数字人至少需要 2 张训练和 1 张留出（请导入帧数或视角更多的数据集）。</translation>
    </message>
    <message>
        <source>cannot read {image}; import the dataset again</source>
        <translation>无法读取 {image}；请重新导入数据集</translation>
    </message>
    <message>
        <source>turn the innovation off (innovations.perceptual.enabled = false)</source>
        <translation>关闭该创新（innovations.perceptual.enabled = false）</translation>
    </message>
    <message>
        <source>innovations.semantic_densify.regions: unknown {unknown} for this mesh; use some of {allowed}</source>
        <translation>innovations.semantic_densify.regions：此网格没有 {unknown}；请从 {allowed} 中选用</translation>
    </message>
    <message>
        <source>Gaussian avatar</source>
        <translation>高斯数字人</translation>
    </message>
    <message>
        <source>{run} is bound to the {mesh} mesh; speech drives the MediaPipe face mesh, so render a video from an avatar trained with data.mesh = "mediapipe".</source>
        <translation>{run} 绑定在 {mesh} 网格上；语音驱动的是 MediaPipe 人脸网格，因此请用 data.mesh = "mediapipe" 训练的数字人渲染视频。</translation>
    </message>
    <message>
        <source>the audio-to-mouth model runs at {model_fps:g} fps but the avatar's clip is {clip_fps:g} fps; train the audio model on clips prepared at {clip_fps:g} fps.</source>
        <translation>音频到口型模型以 {model_fps:g} fps 运行，但数字人的片段是 {clip_fps:g} fps；请在以 {clip_fps:g} fps 预处理的片段上训练音频模型。</translation>
    </message>
    <message>
        <source>{clip_dir} was imported from a VHAP dataset and has FLAME tracking only; train it with data.mesh = "flame" (training_jobs/gaussian_flame.toml) or pick a prepared video clip (--clip).</source>
        <translation>{clip_dir} 是从 VHAP 数据集导入的，只有 FLAME 跟踪；请用 data.mesh = "flame"（training_jobs/gaussian_flame.toml）训练它，或选择一个已预处理的视频片段（--clip）。</translation>
    </message>
    <message>
        <source>data.mesh = {mesh!r} is not a mesh source; use one of {mesh_sources}</source>
        <translation>data.mesh = {mesh!r} 不是网格来源；请使用 {mesh_sources} 之一</translation>
    </message>
    <message>
        <source>a Gaussian avatar needs a prepared clip (--clip NAME).</source>
        <translation>高斯数字人需要一个已预处理的片段（--clip NAME）。</translation>
    </message>
    <message>
        <source>{folder} {missing}</source>
        <translation>{folder} {missing}</translation>
    </message>
    <message>
        <source>{path} is corrupt ({exc}); {redo}</source>
        <translation>{path} 已损坏（{exc}）；{redo}</translation>
    </message>
    <message>
        <source>choose a writable location.</source>
        <translation>请选择一个可写的位置。</translation>
    </message>
    <message>
        <source>{option} {path} is a folder; give a file name, e.g. {example}.</source>
        <translation>{option} {path} 是一个文件夹；请给出文件名，例如 {example}。</translation>
    </message>
    <message>
        <source>{option} must name an {suffixes} file (got {path}).</source>
        <translation>{option} 必须是一个 {suffixes} 文件（收到 {path}）。</translation>
    </message>
    <message>
        <source>{option} {path}: {base} is a file, not a folder; choose another location.</source>
        <translation>{option} {path}：{base} 是文件，不是文件夹；请选择其他位置。</translation>
    </message>
    <message>
        <source>{option} {path} is a file; give a folder.</source>
        <translation>{option} {path} 是一个文件；请给出文件夹。</translation>
    </message>
    <message>
        <source>{option} {target}: cannot write in {folder} ({error}); {fix}</source>
        <translation>{option} {target}：无法在 {folder} 中写入（{error}）；{fix}</translation>
    </message>
    <message>
        <source>give an {name} run folder (made by `dhstudio train training_jobs/{name}.toml`), or leave --audio-model out to use the project's newest finished one</source>
        <translation>请给出一个 {name} 运行文件夹（由 `dhstudio train training_jobs/{name}.toml` 生成），或省略 --audio-model 以使用项目中最新完成的运行</translation>
    </message>
    <message>
        <source>No finished {audio_title} run with usable weights in {runs}{why_not_made}. Train one with `dhstudio train training_jobs/{audio_name}.toml --project {project}` or pass --audio-model RUN.</source>
        <translation>{runs} 中没有权重可用的已完成{audio_title}运行{why_not_made}。请用 `dhstudio train training_jobs/{audio_name}.toml --project {project}` 训练一个，或传入 --audio-model RUN。</translation>
    </message>
    <message>
        <source>--audio-model {given} does not exist; {fix}.</source>
        <translation>--audio-model {given} 不存在；{fix}。</translation>
    </message>
    <message>
        <source>, and none could be made without training: {exc}</source>
        <translation>，且无法在不训练的情况下生成一个：{exc}</translation>
    </message>
    <message>
        <source>--audio-model {given} is a '{kind}' run, not an {audio_name} one; {fix}.</source>
        <translation>--audio-model {given} 是一个“{kind}”运行，不是 {audio_name} 运行；{fix}。</translation>
    </message>
    <message>
        <source>rendered</source>
        <translation>渲染</translation>
    </message>
    <message>
        <source>rendering a {title} needs an audio-to-mouth run (--audio-model RUN)</source>
        <translation>渲染{title}需要一个音频到口型运行（--audio-model RUN）</translation>
    </message>
    <message>
        <source>driven live</source>
        <translation>实时驱动</translation>
    </message>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <source>{title} runs ({name}) cannot be exported as {fmt!r}; formats for this kind: {offered}.</source>
        <translation>{title}运行（{name}）不能导出为 {fmt!r}；此类型支持的格式：{offered}。</translation>
    </message>
    <message>
        <source>training only</source>
        <translation>仅训练</translation>
    </message>
    <message>
        <source> {instead}</source>
        <translation>{instead}</translation>
    </message>
    <message>
        <source>{title} runs ({name}) cannot be {verb}; this kind offers: {offered}.{hint}</source>
        <translation>{title}运行（{name}）不能{verb}；此类型提供：{offered}。{hint}</translation>
    </message>
    <message>
        <source>evaluated</source>
        <translation>评估</translation>
    </message>
    <message>
        <source>{where}field 'kind' is {name!r}; allowed: {kinds}</source>
        <translation>{where}字段 'kind' 为 {name!r}；允许的值：{kinds}</translation>
    </message>
    <message>
        <source>{run_dir} is not a run folder; give PROJECT/runs/&lt;run&gt;.</source>
        <translation>{run_dir} 不是运行文件夹；请给出 PROJECT/runs/&lt;run&gt;。</translation>
    </message>
    <message>
        <source>{run_dir} is not a training run (it has no status.json); give PROJECT/runs/&lt;run&gt; of a run made by `dhstudio train`.</source>
        <translation>{run_dir} 不是训练运行（没有 status.json）；请给出由 `dhstudio train` 生成的运行的 PROJECT/runs/&lt;run&gt;。</translation>
    </message>
    <message>
        <source>unknown augmentation preset {name!r}; allowed: {allowed}</source>
        <translation>未知的数据增强预设 {name!r}；允许的值：{allowed}</translation>
    </message>
    <message>
        <source> ({edge} tracked frames are left out because their face crop reaches past the frame's edge: {fix})</source>
        <translation>（{edge} 个已跟踪的帧被排除，因为它们的人脸裁剪框超出了画面边缘：{fix}）</translation>
    </message>
    <message>
        <source>; use a longer video with the face visible throughout.</source>
        <translation>；请使用人脸始终可见的更长视频。</translation>
    </message>
    <message>
        <source>clip '{clip_name}' has only {n_train} usable training frames (need at least {need}){why}</source>
        <translation>片段“{clip_name}”只有 {n_train} 个可用的训练帧（至少需要 {need}）{why}</translation>
    </message>
    <message>
        <source>lip-sync training needs at least one prepared clip.</source>
        <translation>唇形同步训练至少需要一个已预处理的片段。</translation>
    </message>
    <message>
        <source>the lip-sync dataset draws {num_bins} references (one per openness quintile); set model.num_references = {num_bins}.</source>
        <translation>唇形同步数据集抽取 {num_bins} 个参考帧（每个张嘴程度五分位一个）；请设置 model.num_references = {num_bins}。</translation>
    </message>
    <message>
        <source>no run of {clip_frames} consecutive usable training frames in any clip; lower train.clip_frames or use a clip with fewer tracking gaps.</source>
        <translation>所有片段中都没有 {clip_frames} 个连续可用的训练帧；请降低 train.clip_frames，或使用跟踪间断更少的片段。</translation>
    </message>
    <message>
        <source>the demo's lip-sync stage needs a finished {kind} run in {runs}; the audio-to-mouth stage must run first.</source>
        <translation>演示的唇形同步阶段需要 {runs} 中一个已完成的 {kind} 运行；必须先运行音频到口型阶段。</translation>
    </message>
    <message>
        <source>clip '{clip_name}' has only {n_held} usable held-out frames; evaluation needs a longer clip.</source>
        <translation>片段“{clip_name}”只有 {n_held} 个可用的留出帧；评估需要更长的片段。</translation>
    </message>
    <message>
        <source>{clip_path}/video.mp4 ends before frame {last}; the prepared clip is damaged - prepare it again.</source>
        <translation>{clip_path}/video.mp4 在第 {last} 帧之前就结束了；已预处理的片段已损坏——请重新预处理。</translation>
    </message>
    <message>
        <source>mouth size {mouth_size} is not supported; choose one of {allowed}</source>
        <translation>不支持嘴部尺寸 {mouth_size}；请从 {allowed} 中选择</translation>
    </message>
    <message>
        <source>No lip-sync renderer checkpoint at {path}; train one with `dhstudio train training_jobs/dinet_mini.toml --project DIR`.</source>
        <translation>{path} 处没有唇形同步渲染器检查点；请用 `dhstudio train training_jobs/dinet_mini.toml --project DIR` 训练一个。</translation>
    </message>
    <message>
        <source>the renderer was trained on clip '{name}', but {path} is not a prepared clip; prepare it again or pass --clip with the prepared clip folder.</source>
        <translation>渲染器是在片段“{name}”上训练的，但 {path} 不是已预处理的片段；请重新预处理，或用 --clip 传入已预处理的片段文件夹。</translation>
    </message>
    <message>
        <source>{run_dir}: the checkpoint lists {n_ids} reference frames for clip '{clip_name}', the renderer needs {r}; train it again</source>
        <translation>{run_dir}：检查点为片段“{clip_name}”列出了 {n_ids} 个参考帧，而渲染器需要 {r} 个；请重新训练</translation>
    </message>
    <message>
        <source>clip '{clip_name}' lists {n_cands} reference candidates, the renderer needs {r}; prepare the clip again.</source>
        <translation>片段“{clip_name}”列出了 {n_cands} 个参考候选帧，而渲染器需要 {r} 个；请重新预处理该片段。</translation>
    </message>
    <message>
        <source>the audio-to-mouth model was trained at {model_fps:g} fps but clip '{clip_name}' is {clip_fps:g} fps; train the audio model on clips prepared at {clip_fps:g} fps.</source>
        <translation>音频到口型模型是以 {model_fps:g} fps 训练的，但片段“{clip_name}”是 {clip_fps:g} fps；请在以 {clip_fps:g} fps 预处理的片段上训练音频模型。</translation>
    </message>
    <message>
        <source>clip(s) {silent} have no audio track; lip-sync training needs speech (its held-out check and rendering are driven by audio). Prepare videos with sound.</source>
        <translation>片段 {silent} 没有音轨；唇形同步训练需要语音（其留出检查和渲染都由音频驱动）。请预处理有声音的视频。</translation>
    </message>
    <message>
        <source>set the perceptual weight (loss.lamb_perception) to 0</source>
        <translation>把感知损失权重（loss.lamb_perception）设为 0</translation>
    </message>
    <message>
        <source>check the path you gave ({key})</source>
        <translation>检查您给出的路径（{key}）</translation>
    </message>
    <message>
        <source>download {url} into one of those folders, set ${env} or {key} to the file</source>
        <translation>把 {url} 下载到上述某个文件夹，或把 ${env} 或 {key} 设为该文件</translation>
    </message>
    <message>
        <source>VGG19 weights file {file} not found (needed by the perceptual loss). Looked in:
{looked}
To fix: {fix}, or {turn_off}.</source>
        <translation>找不到 VGG19 权重文件 {file}（感知损失需要它）。已查找：
{looked}
解决方法：{fix}，或{turn_off}。</translation>
    </message>
    <message>
        <source>{path} does not hold a state dict (got {error_type})</source>
        <translation>{path} 不包含 state dict（实际为 {error_type}）</translation>
    </message>
    <message>
        <source>{source} is not a torchvision VGG19 state dict: missing {missing}</source>
        <translation>{source} 不是 torchvision 的 VGG19 state dict：缺少 {missing}</translation>
    </message>
    <message>
        <source>{source} has wrong shapes for {bad} (is it VGG19?)</source>
        <translation>{source} 中 {bad} 的形状不对（它是 VGG19 吗？）</translation>
    </message>
    <message>
        <source>could not read VGG19 weights {path}: {exc}; re-download {url}</source>
        <translation>无法读取 VGG19 权重 {path}：{exc}；请重新下载 {url}</translation>
    </message>
    <message>
        <source>a WAV (16-, 24- or 32-bit, any rate, mono or stereo), mp3, m4a/AAC, FLAC, Ogg/Opus file, or a video with sound</source>
        <translation>WAV（16、24 或 32 位，任意采样率，单声道或立体声）、mp3、m4a/AAC、FLAC、Ogg/Opus 文件，或带声音的视频</translation>
    </message>
    <message>
        <source>Audio file not found: {path}. Give {accepted}.</source>
        <translation>找不到音频文件：{path}。请给出{accepted}。</translation>
    </message>
    <message>
        <source>{path} is a folder, not an audio file. Give {accepted}.</source>
        <translation>{path} 是一个文件夹，不是音频文件。请给出{accepted}。</translation>
    </message>
    <message>
        <source>{path} is truncated: its header says {declared:.2f} s of audio but only {got:.2f} s are in the file (a download or a copy cut short, or a recording that did not finish). Re-export or re-download it.</source>
        <translation>{path} 被截断了：其文件头记录有 {declared:.2f} 秒音频，但文件中只有 {got:.2f} 秒（下载或复制中断，或录音没有完成）。请重新导出或重新下载。</translation>
    </message>
    <message>
        <source>{path} is not a readable audio file, or it is truncated or corrupt ({exc}). Give {accepted}.</source>
        <translation>{path} 不是可读取的音频文件，或者已被截断或损坏（{exc}）。请给出{accepted}。</translation>
    </message>
    <message>
        <source>{path} has no audio stream. Give {accepted}.</source>
        <translation>{path} 没有音频流。请给出{accepted}。</translation>
    </message>
    <message>
        <source>{path} holds no audio samples. Give {accepted}.</source>
        <translation>{path} 不含任何音频采样。请给出{accepted}。</translation>
    </message>
    <message>
        <source>{path}: the audio stream cannot be decoded, the file is corrupt or truncated ({exc}). Give {accepted}.</source>
        <translation>{path}：音频流无法解码，文件已损坏或被截断（{exc}）。请给出{accepted}。</translation>
    </message>
    <message>
        <source>{path}: no video frame could be decoded. Give a video with at least one frame.</source>
        <translation>{path}：无法解码任何视频帧。请给出至少有一帧的视频。</translation>
    </message>
    <message>
        <source>Video file not found: {path}. Check the path (and that the drive is mounted).</source>
        <translation>找不到视频文件：{path}。请检查路径（以及驱动器是否已挂载）。</translation>
    </message>
    <message>
        <source>{path} is a folder, not a video file. Give the path of a video file (mp4, mov, mkv...).</source>
        <translation>{path} 是一个文件夹，不是视频文件。请给出视频文件的路径（mp4、mov、mkv……）。</translation>
    </message>
    <message>
        <source>{path} has no video stream (is it an audio file?). Give a video of the speaker.</source>
        <translation>{path} 没有视频流（它是音频文件吗？）。请给出说话人的视频。</translation>
    </message>
    <message>
        <source>{path} has no frame(s) {missing}; the file is damaged or shorter than expected.</source>
        <translation>{path} 没有帧 {missing}；文件已损坏或比预期短。</translation>
    </message>
    <message>
        <source>{path} is not a readable video, or it is truncated or corrupt ({exc}). Give a complete video file (mp4, mov, mkv, webm...); re-export or re-download it if it was cut short.</source>
        <translation>{path} 不是可读取的视频，或者已被截断或损坏（{exc}）。请给出完整的视频文件（mp4、mov、mkv、webm……）；如果它被截断了，请重新导出或重新下载。</translation>
    </message>
    <message>
        <source>{path} has a video stream with zero frames. Give a video with at least one frame.</source>
        <translation>{path} 的视频流没有任何帧。请给出至少有一帧的视频。</translation>
    </message>
    <message>
        <source>{path} is truncated: its header lists {declared} video frames but only {n_times} are in the file. Re-export or re-download the video.</source>
        <translation>{path} 被截断了：其文件头列出 {declared} 个视频帧，但文件中只有 {n_times} 个。请重新导出或重新下载该视频。</translation>
    </message>
    <message>
        <source>{path} is corrupt: no frame could be decoded ({exc}). Re-export the video.</source>
        <translation>{path} 已损坏：无法解码任何帧（{exc}）。请重新导出该视频。</translation>
    </message>
    <message>
        <source>{path} is truncated or corrupt: reading stopped after {n_times} frames ({exc}). Re-export or re-download the video.</source>
        <translation>{path} 被截断或已损坏：读取 {n_times} 帧后停止（{exc}）。请重新导出或重新下载该视频。</translation>
    </message>
    <message>
        <source>{path} is truncated or corrupt: decoding failed after {n} frames ({exc}). Re-export or re-download the video.</source>
        <translation>{path} 被截断或已损坏：解码 {n} 帧后失败（{exc}）。请重新导出或重新下载该视频。</translation>
    </message>
    <message>
        <source>'auto', 'off' or a fixed offset in ms between -{ms:g} and {ms:g}</source>
        <translation>'auto'、'off'，或 -{ms:g} 到 {ms:g} 之间的固定偏移（毫秒）</translation>
    </message>
    <message>
        <source>av-sync {text!r} is out of range; use {allowed}.</source>
        <translation>av-sync {text!r} 超出范围；请使用{allowed}。</translation>
    </message>
    <message>
        <source>av-sync {text!r} is not understood; use {allowed}.</source>
        <translation>无法理解 av-sync {text!r}；请使用{allowed}。</translation>
    </message>
    <message>
        <source>Prepared clip '{clip}' has no audio; audio-to-mouth needs speech. Choose clips with a sound track (see --clip) or re-import the video with audio.</source>
        <translation>已预处理的片段“{clip}”没有音频；音频到口型需要语音。请选择有音轨的片段（见 --clip），或重新导入带音频的视频。</translation>
    </message>
    <message>
        <source>Clips without audio cannot train audio-to-mouth: {silent}. Leave them out with --clip NAME for each clip that has speech.</source>
        <translation>没有音频的片段无法训练音频到口型：{silent}。请为每个有语音的片段传入 --clip NAME，把它们排除在外。</translation>
    </message>
    <message>
        <source>The audio of every clip is silent ({silent}): the audio-to-mouth model learns from speech. Prepare a video in which the speaker talks, with its sound track.</source>
        <translation>每个片段的音频都是静音（{silent}）：音频到口型模型从语音中学习。请预处理一个说话人在讲话且带音轨的视频。</translation>
    </message>
    <message>
        <source>clip '{clip}' has {n_frames} frames; with {holdout:.0%} held out that leaves {split} to train (need &gt;= {min_train}). Use a longer clip.</source>
        <translation>片段“{clip}”有 {n_frames} 帧；留出 {holdout:.0%} 后只剩 {split} 帧用于训练（需要 &gt;= {min_train}）。请使用更长的片段。</translation>
    </message>
    <message>
        <source>clip '{clip}': audio shorter than one {frame_ms} ms analysis window</source>
        <translation>片段“{clip}”：音频比一个 {frame_ms} 毫秒的分析窗口还短</translation>
    </message>
    <message>
        <source>Its held-out scores are in the run's summary.json; to score it against baselines per speaker, run `dhstudio eval-audio --project PROJECT`, or evaluate a lip-sync run with `dhstudio eval LIPSYNC_RUN --audio-model RUN`.</source>
        <translation>它的留出得分在运行的 summary.json 中；要按说话人与基线比较评分，请运行 `dhstudio eval-audio --project PROJECT`，或用 `dhstudio eval LIPSYNC_RUN --audio-model RUN` 评估一个唇形同步运行。</translation>
    </message>
    <message>
        <source>It drives the avatars: render a lip-sync or Gaussian run with --audio-model RUN.</source>
        <translation>它用于驱动数字人：请用 --audio-model RUN 渲染一个唇形同步或高斯运行。</translation>
    </message>
    <message>
        <source>It drives the avatars: go live with a lip-sync or Gaussian run and --audio-model RUN.</source>
        <translation>它用于驱动数字人：请用唇形同步或高斯运行加 --audio-model RUN 进行实时驱动。</translation>
    </message>
    <message>
        <source>No audio-to-mouth checkpoint at {path}; train one with `dhstudio train training_jobs/audio2mouth.toml --project DIR`.</source>
        <translation>{path} 处没有音频到口型检查点；请用 `dhstudio train training_jobs/audio2mouth.toml --project DIR` 训练一个。</translation>
    </message>
    <message>
        <source>espeak-ng is not installed; building the audio-to-mouth prior needs it. Install it with `apt-get install espeak-ng` (installers/setup.sh does).</source>
        <translation>未安装 espeak-ng；构建音频到口型先验需要它。请用 `apt-get install espeak-ng` 安装（installers/setup.sh 会执行）。</translation>
    </message>
    <message>
        <source>espeak-ng failed to initialise (is espeak-ng-data installed?)</source>
        <translation>espeak-ng 初始化失败（是否安装了 espeak-ng-data？）</translation>
    </message>
    <message>
        <source>espeak-ng has no voice {voice!r}; list them with `espeak-ng --voices`</source>
        <translation>espeak-ng 没有语音 {voice!r}；请用 `espeak-ng --voices` 列出可用语音</translation>
    </message>
    <message>
        <source>eval-audio needs prepared clips: --project DIR or --clip DIR (one or more).</source>
        <translation>eval-audio 需要已预处理的片段：--project DIR 或 --clip DIR（一个或多个）。</translation>
    </message>
    <message>
        <source>timing {timing!r} is not one of {timings}</source>
        <translation>计时方式 {timing!r} 不是 {timings} 之一</translation>
    </message>
    <message>
        <source>training the own-clip model on {clip} failed: {error}</source>
        <translation>在 {clip} 上训练本片段模型失败：{error}</translation>
    </message>
    <message>
        <source>No audio-to-mouth prior at {path}; build it with `python -m core.mouth.prior.build` (needs espeak-ng: `apt-get install espeak-ng`).</source>
        <translation>{path} 处没有音频到口型先验；请用 `python -m core.mouth.prior.build` 构建（需要 espeak-ng：`apt-get install espeak-ng`）。</translation>
    </message>
    <message>
        <source>{path} is not a version-{version} audio-to-mouth prior; rebuild it.</source>
        <translation>{path} 不是版本 {version} 的音频到口型先验；请重新构建。</translation>
    </message>
    <message>
        <source>{path} is not a readable audio-to-mouth prior ({exc}); rebuild it.</source>
        <translation>{path} 不是可读取的音频到口型先验（{exc}）；请重新构建。</translation>
    </message>
    <message>
        <source>the audio is too short to measure its loudness and spectrum (need &gt; 70 ms)</source>
        <translation>音频太短，无法测量其响度和频谱（需要 &gt; 70 毫秒）</translation>
    </message>
    <message>
        <source>a clip needs at least two tracked frames to give the prior mouth targets</source>
        <translation>片段至少需要两个已跟踪的帧，才能给出先验的口型目标</translation>
    </message>
    <message>
        <source>pooling the prior needs at least one prepared clip of {min_frames} frames or more with tracked faces; prepare more clips (`dhstudio prepare`).</source>
        <translation>汇集先验至少需要一个已预处理、含 {min_frames} 帧以上且跟踪到人脸的片段；请预处理更多片段（`dhstudio prepare`）。</translation>
    </message>
    <message>
        <source>No prepared clip with speech in {prepared}; the audio-to-mouth prior is mapped onto a clip's mouth. Prepare one with `dhstudio prepare VIDEO --project {project}`.</source>
        <translation>{prepared} 中没有带语音的已预处理片段；音频到口型先验要映射到片段的嘴部上。请用 `dhstudio prepare VIDEO --project {project}` 预处理一个。</translation>
    </message>
    <message>
        <source>mapping the audio-to-mouth prior onto {project} failed: {error}</source>
        <translation>把音频到口型先验映射到 {project} 失败：{error}</translation>
    </message>
    <message>
        <source>the audio-to-mouth prior was built with other [features] settings than this job's; use the default [features] or set [prior] use = false</source>
        <translation>音频到口型先验是用与此任务不同的 [features] 设置构建的；请使用默认的 [features]，或设置 [prior] use = false</translation>
    </message>
    <message>
        <source>audio2mouth needs at least one prepared clip (--clip NAME).</source>
        <translation>audio2mouth 至少需要一个已预处理的片段（--clip NAME）。</translation>
    </message>
    <message>
        <source>clips have different frame rates {rates}; prepare them at one fps.</source>
        <translation>片段的帧率不同 {rates}；请以同一 fps 预处理它们。</translation>
    </message>
    <message>
        <source>unknown backend {kind!r}; choose one of {backends}</source>
        <translation>未知的后端 {kind!r}；请从 {backends} 中选择</translation>
    </message>
    <message>
        <source>--record must name an .mp4 file (got {record})</source>
        <translation>--record 必须是一个 .mp4 文件（收到 {record}）</translation>
    </message>
    <message>
        <source>the models of {run} could not be prepared for the {backend} backend: {error_type}: {exc}</source>
        <translation>无法为 {backend} 后端准备 {run} 的模型：{error_type}: {exc}</translation>
    </message>
    <message>
        <source>audio-to-mouth model</source>
        <translation>音频到口型模型</translation>
    </message>
    <message>
        <source>lip-sync renderer</source>
        <translation>唇形同步渲染器</translation>
    </message>
    <message>
        <source>the audio-to-mouth model in {run} was trained at {model_fps:g} fps but the avatar's clip runs at {fps:g} fps; train the audio model on a clip prepared at {fps:g} fps</source>
        <translation>{run} 中的音频到口型模型是以 {model_fps:g} fps 训练的，但数字人的片段是 {fps:g} fps；请在以 {fps:g} fps 预处理的片段上训练音频模型</translation>
    </message>
    <message>
        <source>cannot load the {what} in {path}: {error_type}: {exc}; train it again</source>
        <translation>无法加载 {path} 中的{what}：{error_type}: {exc}；请重新训练</translation>
    </message>
    <message>
        <source>no lookahead curve at {path}; measure it with `{regenerate}`</source>
        <translation>{path} 处没有前瞻曲线；请用 `{regenerate}` 测量</translation>
    </message>
    <message>
        <source>{path} holds {curve_format!r} version {curve_version}, not {format!r} version {version}; remeasure it with `{regenerate}`</source>
        <translation>{path} 保存的是 {curve_format!r} 版本 {curve_version}，不是 {format!r} 版本 {version}；请用 `{regenerate}` 重新测量</translation>
    </message>
    <message>
        <source>{path} is not JSON ({exc}); remeasure it with `{regenerate}`</source>
        <translation>{path} 不是 JSON（{exc}）；请用 `{regenerate}` 重新测量</translation>
    </message>
    <message>
        <source>{path} is not a valid lookahead curve ({where}); remeasure it with `{regenerate}`</source>
        <translation>{path} 不是有效的前瞻曲线（{where}）；请用 `{regenerate}` 重新测量</translation>
    </message>
    <message>
        <source>the virtual camera needs `pyvirtualcam` (pip install pyvirtualcam) and a virtual camera driver (v4l2loopback on Linux, OBS on Windows/macOS)</source>
        <translation>虚拟摄像头需要 `pyvirtualcam`（pip install pyvirtualcam）和虚拟摄像头驱动（Linux 上为 v4l2loopback，Windows/macOS 上为 OBS）</translation>
    </message>
    <message>
        <source>cannot open a virtual camera: {exc}</source>
        <translation>无法打开虚拟摄像头：{exc}</translation>
    </message>
    <message>
        <source>cannot open an audio output for --monitor: {exc}</source>
        <translation>无法为 --monitor 打开音频输出：{exc}</translation>
    </message>
    <message>
        <source>the PortAudio library is missing; install it with `sudo apt-get install libportaudio2` (Debian/Ubuntu) or use --audio-file WAV instead of --mic</source>
        <translation>缺少 PortAudio 库；请用 `sudo apt-get install libportaudio2`（Debian/Ubuntu）安装，或用 --audio-file WAV 代替 --mic</translation>
    </message>
    <message>
        <source>{path} holds no audio samples</source>
        <translation>{path} 不含任何音频采样</translation>
    </message>
    <message>
        <source>cannot open audio devices: {portaudio_hint} ({exc})</source>
        <translation>无法打开音频设备：{portaudio_hint}（{exc}）</translation>
    </message>
    <message>
        <source>the `sounddevice` package is not installed; `pip install sounddevice`</source>
        <translation>未安装 `sounddevice` 包；请运行 `pip install sounddevice`</translation>
    </message>
    <message>
        <source>no default input device</source>
        <translation>没有默认输入设备</translation>
    </message>
    <message>
        <source>no input device {device!r}</source>
        <translation>没有输入设备 {device!r}</translation>
    </message>
    <message>
        <source>{which} ({exc}); available inputs: {names}. Plug in a microphone or pass --input-device, or use --audio-file WAV</source>
        <translation>{which}（{exc}）；可用的输入：{names}。请插入麦克风或传入 --input-device，或使用 --audio-file WAV</translation>
    </message>
    <message>
        <source>cannot open audio input {name}: {exc}; check the device or pass another --input-device</source>
        <translation>无法打开音频输入 {name}：{exc}；请检查设备，或传入其他 --input-device</translation>
    </message>
    <message>
        <source>an {word}</source>
        <translation>{word}</translation>
    </message>
    <message>
        <source>a {word}</source>
        <translation>{word}</translation>
    </message>
    <message>
        <source>Checkpoint not found: {path}</source>
        <translation>找不到检查点：{path}</translation>
    </message>
    <message>
        <source>{path} is not a Digital Human Studio checkpoint (it holds a {kind}).</source>
        <translation>{path} 不是 数字人工作室 检查点（它包含的是 {kind}）。</translation>
    </message>
    <message>
        <source>{path} was written by a newer Digital Human Studio (checkpoint format {version}, this one reads up to {format_version}); update the studio to load it.</source>
        <translation>{path} 是由更新版本的 数字人工作室 写入的（检查点格式 {version}，此版本最高读取 {format_version}）；请更新本工作室以加载它。</translation>
    </message>
    <message>
        <source>{path} is a '{kind}' checkpoint, not {a_kind} one; choose a run trained by {a_kind} job.</source>
        <translation>{path} 是“{kind}”检查点，不是 {a_kind} 检查点；请选择由 {a_kind} 任务训练的运行。</translation>
    </message>
    <message>
        <source>{path} holds a '{kind}' checkpoint of version {kind_version}, newer than this studio's {supported_version}; update the studio to load it.</source>
        <translation>{path} 保存的是版本 {kind_version} 的“{kind}”检查点，比本工作室的 {supported_version} 更新；请更新本工作室以加载它。</translation>
    </message>
    <message>
        <source>{path} holds NaN/inf weights: that training run diverged. Train it again with a lower learning rate, or choose another run.</source>
        <translation>{path} 含有 NaN/inf 权重：该训练运行已发散。请用更低的学习率重新训练，或选择另一个运行。</translation>
    </message>
    <message>
        <source>{path} is not a studio checkpoint ({refusal_reason}): it is damaged, or it holds objects other than tensors and plain values, which could run code when loaded. Do not trust it or open it by other means; use a checkpoint written by dhstudio (PROJECT/runs/&lt;run&gt;/checkpoints/*.pt).</source>
        <translation>{path} 不是本工作室的检查点（{refusal_reason}）：它已损坏，或者包含张量和普通值以外的对象，加载时可能运行代码。请不要信任它，也不要用其他方式打开；请使用 dhstudio 写入的检查点（PROJECT/runs/&lt;run&gt;/checkpoints/*.pt）。</translation>
    </message>
    <message>
        <source>{path} is not a Digital Human Studio training checkpoint (no '{format}' header).</source>
        <translation>{path} 不是 数字人工作室 训练检查点（没有“{format}”文件头）。</translation>
    </message>
    <message>
        <source>model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>the {what} weights in {path} are not finite (NaN or inf in {shown}): its training diverged. Train it again with a lower learning rate, or pick another run.</source>
        <translation>{path} 中的{what}权重不是有限值（{shown} 中有 NaN 或 inf）：其训练已发散。请用更低的学习率重新训练，或选择另一个运行。</translation>
    </message>
    <message>
        <source>at least {n} frames: {train} to train and {held} held out at a {holdout:.0%} hold-out</source>
        <translation>至少 {n} 帧：{train} 帧用于训练，{held} 帧留出（留出比例 {holdout:.0%}）</translation>
    </message>
    <message>
        <source>{path} is damaged ({problem}); delete the run folder or train it again.</source>
        <translation>{path} 已损坏（{problem}）；请删除该运行文件夹或重新训练。</translation>
    </message>
    <message>
        <source>{path} is missing; {run} is not a run made by `dhstudio train`.</source>
        <translation>缺少 {path}；{run} 不是由 `dhstudio train` 生成的运行。</translation>
    </message>
    <message>
        <source>{path} is damaged ({exc}); delete the run folder or train it again.</source>
        <translation>{path} 已损坏（{exc}）；请删除该运行文件夹或重新训练。</translation>
    </message>
    <message>
        <source>--max-steps must be &gt;= 1 (got {steps})</source>
        <translation>--max-steps 必须 &gt;= 1（收到 {steps}）</translation>
    </message>
    <message>
        <source>No clip named '{name}' in {project} (clips: {have}). `dhstudio clip list` lists them.</source>
        <translation>{project} 中没有名为“{name}”的片段（片段：{have}）。`dhstudio clip list` 可列出它们。</translation>
    </message>
    <message>
        <source>--stages must be 1..{n_stages} (got {stages})</source>
        <translation>--stages 必须在 1..{n_stages} 之间（收到 {stages}）</translation>
    </message>
    <message>
        <source>--audio-model {audio_model} does not exist.</source>
        <translation>--audio-model {audio_model} 不存在。</translation>
    </message>
    <message>
        <source>--limit must be &gt;= 1 (got {limit})</source>
        <translation>--limit 必须 &gt;= 1（收到 {limit}）</translation>
    </message>
    <message>
        <source>eval-audio needs --project DIR or at least one --clip DIR (a prepared clip folder).</source>
        <translation>eval-audio 需要 --project DIR 或至少一个 --clip DIR（已预处理的片段文件夹）。</translation>
    </message>
    <message>
        <source>--speaker names clips that are not evaluated: {unknown}</source>
        <translation>--speaker 指定了未被评估的片段：{unknown}</translation>
    </message>
    <message>
        <source>--own-steps must be &gt;= 0 (got {own_steps})</source>
        <translation>--own-steps 必须 &gt;= 0（收到 {own_steps}）</translation>
    </message>
    <message>
        <source>--pool-steps must be &gt;= 0 (got {pool_steps}); 0 leaves the pooled prior out</source>
        <translation>--pool-steps 必须 &gt;= 0（收到 {pool_steps}）；0 表示不使用汇集先验</translation>
    </message>
    <message>
        <source>--speaker {item!r}: write it as CLIP=NAME, e.g. --speaker a=alice</source>
        <translation>--speaker {item!r}：请写成 CLIP=NAME，例如 --speaker a=alice</translation>
    </message>
    <message>
        <source>{p} is not a prepared clip (no manifest.json); prepare it with `dhstudio prepare`.</source>
        <translation>{p} 不是已预处理的片段（没有 manifest.json）；请用 `dhstudio prepare` 预处理。</translation>
    </message>
    <message>
        <source>{dataset} is not a folder; give the VHAP dataset's root folder</source>
        <translation>{dataset} 不是文件夹；请给出 VHAP 数据集的根文件夹</translation>
    </message>
    <message>
        <source>give the avatar run folder: dhstudio live PROJECT/runs/&lt;run&gt; --audio-file WAV (or --mic)</source>
        <translation>请给出数字人运行文件夹：dhstudio live PROJECT/runs/&lt;run&gt; --audio-file WAV（或 --mic）</translation>
    </message>
    <message>
        <source>--seconds must be a number of seconds &gt; 0 (got {seconds})</source>
        <translation>--seconds 必须是大于 0 的秒数（收到 {seconds}）</translation>
    </message>
    <message>
        <source>cannot list audio devices: {exc}; is PortAudio working (`dhstudio doctor`)?</source>
        <translation>无法列出音频设备：{exc}；PortAudio 是否正常（`dhstudio doctor`）？</translation>
    </message>
    <message>
        <source>Open a project with a prepared clip first (File &gt; Open Project).</source>
        <translation>请先打开一个含已预处理片段的项目（文件 &gt; 打开项目）。</translation>
    </message>
    <message>
        <source>export option line {n} {line!r} is not 'name = value'</source>
        <translation>导出选项第 {n} 行 {line!r} 不是“name = value”格式</translation>
    </message>
    <message>
        <source>choose a run to export as {fmt}</source>
        <translation>请选择一个要导出为 {fmt} 的运行</translation>
    </message>
    <message>
        <source>choose an output folder</source>
        <translation>请选择输出文件夹</translation>
    </message>
    <message>
        <source>choose an avatar: a finished lip-sync or Gaussian run of the open project</source>
        <translation>请选择数字人：打开的项目中一个已完成的唇形同步或高斯运行</translation>
    </message>
    <message>
        <source>choose an audio file to drive the avatar (got {text!r})</source>
        <translation>请选择驱动数字人的音频文件（收到 {text!r}）</translation>
    </message>
    <message>
        <source>A clip named '{name}' exists already; choose another name.</source>
        <translation>已存在名为“{name}”的片段；请换一个名称。</translation>
    </message>
    <message>
        <source>No files to import; drop or choose video files (mp4, mov, mkv...).</source>
        <translation>没有要导入的文件；请拖入或选择视频文件（mp4、mov、mkv……）。</translation>
    </message>
    <message>
        <source>is a sound file: speech is not imported, choose it as the audio file in Render &amp; Play or in Live</source>
        <translation>是一个声音文件：语音不会被导入，请在“渲染与播放”或“实时驱动”中把它选为音频文件</translation>
    </message>
    <message>
        <source>is not a video file this studio imports; give one of {suffixes}</source>
        <translation>不是本工作室可导入的视频文件；请给出 {suffixes} 之一</translation>
    </message>
    <message>
        <source> Nothing was imported; import {videos} without it.</source>
        <translation> 没有导入任何文件；请不带它导入 {videos}。</translation>
    </message>
    <message>
        <source>{name} {what}.{again}</source>
        <translation>{name} {what}。{again}</translation>
    </message>
    <message>
        <source>Choose an audio file to speak (wav, mp3 or m4a) with Browse….</source>
        <translation>请用“浏览…”选择要说的音频文件（wav、mp3 或 m4a）。</translation>
    </message>
    <message>
        <source>Audio file not found: {audio}. Choose an existing wav, mp3 or m4a file.</source>
        <translation>找不到音频文件：{audio}。请选择一个存在的 wav、mp3 或 m4a 文件。</translation>
    </message>
    <message>
        <source>This project has no prepared clip yet: import a video in the Media tab, press Prepare… on its card, then start training.</source>
        <translation>此项目还没有已预处理的片段：请在“媒体”标签页导入视频，点击其卡片上的“预处理…”，然后开始训练。</translation>
    </message>
    <message>
        <source>the edited values cannot all be written as --set overrides; save it as a preset</source>
        <translation>编辑后的值无法全部写成 --set 覆盖项；请将其保存为预设</translation>
    </message>
    <message>
        <source>Fix {path} by hand or restore it from a backup, then try again.</source>
        <translation>请手动修复 {path} 或从备份恢复，然后重试。</translation>
    </message>
    <message>
        <source>Project {root} already has a prepared clip '{name}' ({clip_folder}); runs trained on it would no longer match their clip. Choose another --name, or pass --force to replace it.</source>
        <translation>项目 {root} 中已有名为“{name}”的已预处理片段（{clip_folder}）；在其上训练的运行将与片段不再匹配。请选择另一个 --name，或传入 --force 替换它。</translation>
    </message>
    <message>
        <source>{path} was written by a newer Digital Human Studio (project schema {version}; this version reads up to {schema_version}). Upgrade the studio to open it.</source>
        <translation>{path} 是由更新版本的 数字人工作室 写入的（项目 schema {version}；此版本最高读取 {schema_version}）。请升级本工作室以打开它。</translation>
    </message>
    <message>
        <source>{path}: these values do not read back unchanged from TOML; change them.</source>
        <translation>{path}：这些值从 TOML 读回时发生了变化；请修改它们。</translation>
    </message>
    <message>
        <source>{root} already holds a project ({project_file} exists); open it instead.</source>
        <translation>{root} 中已有项目（{project_file} 已存在）；请直接打开它。</translation>
    </message>
    <message>
        <source>{root} exists and is not empty; choose a new or empty folder.</source>
        <translation>{root} 已存在且不为空；请选择一个新的或空的文件夹。</translation>
    </message>
    <message>
        <source>{root} is not a Digital Human Studio project ({project_file} not found). Create one with `dhstudio new {root}`.</source>
        <translation>{root} 不是 数字人工作室 项目（找不到 {project_file}）。请用 `dhstudio new {root}` 创建一个。</translation>
    </message>
    <message>
        <source>No prepared clip named '{name}' in {prepared_dir} (prepared clips: {have}). Run `dhstudio prepare VIDEO --project {root} --name {name}` first.</source>
        <translation>{prepared_dir} 中没有名为“{name}”的已预处理片段（已预处理的片段：{have}）。请先运行 `dhstudio prepare VIDEO --project {root} --name {name}`。</translation>
    </message>
    <message>
        <source>{exc}
Nothing was saved: {path_name} was left unchanged.</source>
        <translation>{exc}
未保存任何内容：{path_name} 保持不变。</translation>
    </message>
    <message>
        <source>{path} is corrupt (not valid TOML: {exc}). {fix}</source>
        <translation>{path} 已损坏（不是有效的 TOML：{exc}）。{fix}</translation>
    </message>
    <message>
        <source>{path} is a folder, not the project file. {fix}</source>
        <translation>{path} 是一个文件夹，不是项目文件。{fix}</translation>
    </message>
    <message>
        <source>{path} cannot be read ({error}). Give your user read and write permission on it, then try again.</source>
        <translation>无法读取 {path}（{error}）。请给您的用户授予它的读写权限，然后重试。</translation>
    </message>
    <message>
        <source>{errors}
{fix}</source>
        <translation>{errors}
{fix}</translation>
    </message>
    <message>
        <source>{path}: these values cannot be written as TOML ({exc}); change them.</source>
        <translation>{path}：这些值无法写成 TOML（{exc}）；请修改它们。</translation>
    </message>
    <message>
        <source>cannot create the project {root}: {error}; nothing was left behind.</source>
        <translation>无法创建项目 {root}：{error}；没有留下任何内容。</translation>
    </message>
    <message>
        <source>{run_dir} is at step {step} already; a step cap of {max_steps} leaves nothing to train. Give a step cap above {step} (--max-steps, or Max steps in the training panel: the total to reach), or none for the configured schedule.</source>
        <translation>{run_dir} 已在第 {step} 步；步数上限 {max_steps} 意味着没有可训练的内容。请给出大于 {step} 的步数上限（--max-steps，或训练面板中的“最大步数”：要达到的总步数），或不设上限以使用配置的训练计划。</translation>
    </message>
    <message>
        <source>Project {project} has no prepared clips; run `dhstudio prepare VIDEO --project {project}` first.</source>
        <translation>项目 {project} 没有已预处理的片段；请先运行 `dhstudio prepare VIDEO --project {project}`。</translation>
    </message>
    <message>
        <source>make the run folder writable, or copy the project somewhere writable.</source>
        <translation>请让运行文件夹可写，或把项目复制到可写的位置。</translation>
    </message>
    <message>
        <source>Run folder {run_dir} exists; pass --resume to continue it or choose another --run-name.</source>
        <translation>运行文件夹 {run_dir} 已存在；请传入 --resume 继续它，或选择另一个 --run-name。</translation>
    </message>
    <message>
        <source>Under torchrun, pass --run-name NAME so every rank writes to the same run folder.</source>
        <translation>在 torchrun 下请传入 --run-name NAME，使每个进程都写入同一个运行文件夹。</translation>
    </message>
    <message>
        <source>--resume: no earlier run of job '{job_name}' in {runs}</source>
        <translation>--resume：{runs} 中没有任务“{job_name}”之前的运行</translation>
    </message>
    <message>
        <source>cannot create the run folder {run_dir}: {error}; free disk space or make {runs} writable. Nothing was left behind.</source>
        <translation>无法创建运行文件夹 {run_dir}：{error}；请释放磁盘空间或让 {runs} 可写。没有留下任何内容。</translation>
    </message>
    <message>
        <source>Rank {launch_rank}: rank 0 did not create {path} within {timeout_s:.0f} s.</source>
        <translation>进程 {launch_rank}：进程 0 未在 {timeout_s:.0f} 秒内创建 {path}。</translation>
    </message>
    <message>
        <source>--resume: no run folder {path}</source>
        <translation>--resume：没有运行文件夹 {path}</translation>
    </message>
    <message>
        <source>--resume: {path} is a '{kind}' run but the job file trains '{expected_kind}'; give the job file the run was made with.</source>
        <translation>--resume：{path} 是一个“{kind}”运行，但任务文件训练的是“{expected_kind}”；请给出生成该运行时所用的任务文件。</translation>
    </message>
    <message>
        <source>lip-sync video avatar</source>
        <translation>唇形同步视频数字人</translation>
    </message>
    <message>
        <source>gaussian head avatar</source>
        <translation>高斯头部数字人</translation>
    </message>
    <message>
        <source>Open or create a project first, then drop the videos on it.</source>
        <translation>请先打开或创建一个项目，然后把视频拖到上面。</translation>
    </message>
    <message>
        <source>A run named '{name}' exists already; choose another name.</source>
        <translation>已存在名为“{name}”的运行；请换一个名称。</translation>
    </message>
    <message>
        <source>Could not rename '{name}': {exc}.</source>
        <translation>无法重命名“{name}”：{exc}。</translation>
    </message>
    <message>
        <source>Could not remove '{name}': {exc}. Close programs using its files and retry.</source>
        <translation>无法移除“{name}”：{exc}。请关闭正在使用其文件的程序后重试。</translation>
    </message>
    <message>
        <source>audio source {name!r} failed: {error_type}: {err}</source>
        <translation>音频源 {name!r} 出错：{error_type}: {err}</translation>
    </message>
    <message>
        <source>audio input {name} stopped (device disconnected?)</source>
        <translation>音频输入 {name} 已停止（设备断开了吗？）</translation>
    </message>
    <message>
        <source>audio input {name} delivered nothing for {limit:.1f} s (device disconnected?)</source>
        <translation>音频输入 {name} 已有 {limit:.1f} 秒没有送来任何数据（设备断开了吗？）</translation>
    </message>
    <message>
        <source>{error_type}: {error}</source>
        <translation>{error_type}：{error}</translation>
    </message>
</context>
</TS>
