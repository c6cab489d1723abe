#define MS_CLASS "SignalHandle"

#include "handles/SignalHandle.hpp"

#include "DepLibUV.hpp"
#include "Logger.hpp"
#include "MediaSoupErrors.hpp"

namespace
{
	void onSignal(uv_signal_t* handle, int signum)
	{
		static_cast<SignalHandle*>(handle->data)->OnUvSignal(signum);
	}

	void onClose(uv_handle_t* handle)
	{
		delete reinterpret_cast<uv_signal_t*>(handle);
	}
} // namespace

SignalHandle::SignalHandle(Listener* listener) : listener(listener) {}

SignalHandle::~SignalHandle()
{
	Close();
}

void SignalHandle::Close()
{
	if (this->closed)
	{
		return;
	}

	this->closed = true;

	for (auto* handle : this->uvHandles)
	{
		uv_close(reinterpret_cast<uv_handle_t*>(handle), onClose);
	}

	this->uvHandles.clear();
}

void SignalHandle::AddSignal(int signum, const std::string& name)
{
	if (this->closed)
	{
		MS_THROW_ERROR("closed");
	}

	auto* handle = new uv_signal_t;
	int err      = uv_signal_init(DepLibUV::GetLoop(), handle);

	if (err != 0)
	{
		delete handle;

		MS_THROW_ERROR("uv_signal_init() failed for signal %s: %s", name.c_str(), uv_strerror(err));
	}

	handle->data = this;

	err = uv_signal_start(handle, onSignal, signum);

	if (err != 0)
	{
		uv_close(reinterpret_cast<uv_handle_t*>(handle), onClose);

		MS_THROW_ERROR("uv_signal_start() failed for signal %s: %s", name.c_str(), uv_strerror(err));
	}

	this->uvHandles.push_back(handle);
}

void SignalHandle::OnUvSignal(int signum)
{
	this->listener->OnSignal(this, signum);
}
