#ifndef MS_SIGNAL_HANDLE_HPP
#define MS_SIGNAL_HANDLE_HPP

#include "common.hpp"

#include <uv.h>

#include <vector>

// Delivers POSIX signals to a listener through the libuv loop.
class SignalHandle
{
public:
	class Listener
	{
	public:
		virtual ~Listener() = default;

	public:
		virtual void OnSignal(SignalHandle* signalHandle, int signum) = 0;
	};

public:
	explicit SignalHandle(Listener* listener);
	~SignalHandle();

public:
	void Close();
	// Throws MediaSoupError.
	void AddSignal(int signum, const std::string& name);

	/* Callbacks fired by libuv. */
public:
	void OnUvSignal(int signum);

private:
	// Passed by argument.
	Listener* listener{ nullptr };
	// Allocated by this.
	std::vector<uv_signal_t*> uvHandles;
	// Others.
	bool closed{ false };
};

#endif
