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
        <source>Lookahead (frames)</source>
        <translation>前瞻（帧）</translation>
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
        <translation>训练结果</translation>
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
</context>
</TS>
