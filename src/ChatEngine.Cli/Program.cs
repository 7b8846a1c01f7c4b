Console.Error.WriteLine("chatengine: no verbs yet");
return 1;
